"""Captions and audio follow the page's language (README, "Languages"): on the French translation
of a lesson the French caption track is the one shown and hls.js plays the French audio
rendition; on the English lesson, the English ones. Checked on the media element itself (its
text tracks' ``mode``) and on hls.js (``audioTrack``), in Chromium at 390 and 1366 px, with the
player's own words in French on the French page."""

import pytest

from courses.services import enroll
from tests.factories import UserFactory
from tests.language_fixtures import translate_tree
from tests.media_library.test_player_browser import (  # noqa: F401 (fixtures)
    ENGLISH,
    FRENCH,
    VIDEO,
    VIEWPORTS,
    track,
    two_language_hls,
    two_language_video,
)
from tests.page_fixtures import video_lesson
from tests.user_fixtures import browser_log_in

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def bilingual_lesson(page, live_server, french, home, course, two_language_hls, settings):  # noqa: F811
    """A lesson playing a clip with English and French audio (English the master's default) and
    English and French captions (English marked default: captions start on), translated into
    French with its course; a student enrolled in the English course."""
    settings.ROOT_URLCONF = "tests.lessons.media_urls"
    media = two_language_video(two_language_hls)
    track(media, "en", "English", ENGLISH, default=True)
    track(media, "fr", "Français", FRENCH)
    lesson = video_lesson(course, media, title="Bilingual")
    pages = translate_tree(home, french, {"Bilingual": "Bilingue"})
    student = UserFactory(username="bilingual")
    enroll(student, course)
    browser_log_in(page.context, live_server, student)
    return {"en": live_server.url + lesson.url, "fr": live_server.url + pages[lesson.pk].url}


def open_lesson(page, url, size):
    page.set_viewport_size(VIEWPORTS[size])
    page.goto(url)
    page.wait_for_function("() => document.querySelector('.plyr') !== null", timeout=10_000)
    page.locator(".plyr").hover()  # intent: the stream starts
    page.wait_for_function(
        f"() => {{ const h = document.querySelector('{VIDEO}').ringletHls; "
        "return h && h.audioTracks.length === 2 && h.audioTrack >= 0; }",
        timeout=15_000,
    )


def shown(page):
    """{language: mode} of the element's caption tracks, and hls.js's audio track's language."""
    return page.locator(VIDEO).evaluate(
        """v => ({
            captions: Object.fromEntries(Array.from(v.textTracks)
                .filter(t => t.kind === 'captions').map(t => [t.language, t.mode])),
            audio: v.ringletHls.audioTracks[v.ringletHls.audioTrack].lang,
        })"""
    )


def wait_captions(page, language):
    # Plyr draws the cues of the track it chose: that track is "hidden", the others "disabled".
    page.wait_for_function(
        f"() => Array.from(document.querySelector('{VIDEO}').textTracks)"
        f".some(t => t.language === '{language}' && t.mode === 'hidden')",
        timeout=5_000,
    )


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_french_lesson_shows_french_captions_and_plays_french_audio(bilingual_lesson, page, size):
    open_lesson(page, bilingual_lesson["fr"], size)
    wait_captions(page, "fr")
    assert shown(page) == {"captions": {"fr": "hidden", "en": "disabled"}, "audio": "fr"}
    assert page.locator(".plyr--captions-active").count() == 1  # on: the editor marked captions default
    # The player speaks French: Plyr's controls and the player's own parts.
    assert page.get_by_role("button", name="Réglages").count() == 1
    assert page.get_by_label("Langue de l\u2019audio").count() == 1
    page.locator(VIDEO).evaluate("v => { v.muted = true; v.currentTime = 1; return v.play(); }")
    page.locator(".plyr__captions").get_by_text("Bienvenue au cours").wait_for(timeout=10_000)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_english_lesson_shows_english_captions_and_plays_english_audio(bilingual_lesson, page, size):
    open_lesson(page, bilingual_lesson["en"], size)
    wait_captions(page, "en")
    assert shown(page) == {"captions": {"en": "hidden", "fr": "disabled"}, "audio": "en"}
    assert page.get_by_role("button", name="Settings").count() == 1


def test_a_caption_language_chosen_on_an_english_page_does_not_follow_to_the_french_one(
    bilingual_lesson, page
):
    open_lesson(page, bilingual_lesson["en"], "desktop")
    wait_captions(page, "en")
    page.get_by_role("button", name="Settings").click()
    page.get_by_role("menuitem", name="Captions").click()
    page.get_by_role("menuitemradio", name="Français").click()
    wait_captions(page, "fr")
    # The French page still opens in French, and the English page keeps the student's choice.
    open_lesson(page, bilingual_lesson["fr"], "desktop")
    wait_captions(page, "fr")
    open_lesson(page, bilingual_lesson["en"], "desktop")
    wait_captions(page, "fr")
