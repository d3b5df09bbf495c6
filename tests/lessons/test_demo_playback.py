"""The demo student plays a gated lesson's lecture in Chromium, with its captions showing."""

import pytest
from django.core.management import call_command

from courses.models import CoursePage
from lessons.models import LessonPage
from media_library.models import Media
from tests.media_fixtures import play_muted, transcode_here
from tests.user_fixtures import browser_log_in

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_the_demo_student_plays_a_gated_lesson_video_with_visible_captions(
    page, live_server, settings, artifacts_dir
):
    settings.ROOT_URLCONF = "tests.lessons.media_urls"
    settings.DEMO_ADMIN_PASSWORD = "demo-password-for-tests"
    call_command("demo_content")
    from django.contrib.auth import get_user_model

    student = get_user_model().objects.get(email="student@example.com")
    course = CoursePage.objects.get(enrollments__user=student)
    gated = next(
        lesson
        for lesson in LessonPage.objects.descendant_of(course).live().order_by("path")
        if not lesson.free_preview and lesson.media_ids()
    )
    lecture = Media.objects.get(pk=gated.media_ids()[0])
    # The worker would do this after make run; here it runs in the test, for this one video.
    transcode_here(lecture)

    browser_log_in(page.context, live_server, student)
    page.set_viewport_size({"width": 1366, "height": 900})
    response = page.goto(live_server.url + gated.url)
    assert response.status == 200
    page.get_by_role("heading", level=1, name=gated.title).wait_for()
    play_muted(page, "video", past=3)
    # The English track is the default one, so the player shows it (Plyr draws the cues itself,
    # keeping the track "hidden"): a cue is active and on screen by now.
    page.wait_for_function(
        """() => {
            const track = document.querySelector('video').textTracks[0];
            const shown = document.querySelector('.plyr__captions');
            return track && track.mode !== 'disabled' && track.activeCues && track.activeCues.length > 0
                && shown && shown.textContent.trim().length > 0;
        }""",
        timeout=15_000,
    )
    cue = page.evaluate("document.querySelector('video').textTracks[0].activeCues[0].text")
    assert cue.startswith("Welcome to")
    size = page.evaluate(
        "[document.querySelector('video').videoWidth, document.querySelector('video').videoHeight]"
    )
    assert size in ([1280, 720], [640, 360])
    page.screenshot(path=str(artifacts_dir / "demo-gated-lecture-with-captions.png"))
