"""The lesson player in Chromium at a phone's width (390 px) and a laptop's (1366 px).

A real lecture clip (FFmpeg: 12 s of 360p with a tone), encoded by the real pipeline (renditions,
HLS and the seek-preview sprites), with English and French captions and a chapters track, on a
published lesson page a student opens. Each behaviour is checked on the media element itself:
``playbackRate``, ``currentTime``, ``muted``, ``paused`` and the text tracks' ``mode``.
"""

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from courses.services import enroll
from media_library.models import CaptionTrack, Media, Rendition
from tests.factories import UserFactory
from tests.media_fixtures import ffmpeg, transcode_here, upload
from tests.page_fixtures import video_lesson
from tests.user_fixtures import browser_log_in

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
VIDEO = "video.media-player__element"

ENGLISH = [
    ("00:00:00.000", "00:00:03.000", "Welcome to the lecture on frame rates."),
    ("00:00:03.000", "00:00:06.000", "A camera records twenty-five frames each second."),
    ("00:00:06.000", "00:00:09.000", "Interlaced video splits every frame into two fields."),
    ("00:00:09.000", "00:00:12.000", "Thank you for watching."),
]
FRENCH = [
    ("00:00:00.000", "00:00:06.000", "Bienvenue au cours sur les images par seconde."),
    ("00:00:06.000", "00:00:12.000", "Merci de votre attention."),
]


def vtt(cues):
    return ("WEBVTT\n\n" + "\n\n".join(f"{a} --> {b}\n{text}" for a, b, text in cues) + "\n").encode()


@pytest.fixture(scope="session")
def lecture_clip(tmp_path_factory):
    path = tmp_path_factory.mktemp("lecture") / "lecture.mp4"
    ffmpeg(
        *["-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25", "-f", "lavfi", "-i", "sine=frequency=440"],
        *["-t", "12", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac"],
        str(path),
    )
    return path


def track(media, language, label, cues, kind="captions", default=False):
    return CaptionTrack.objects.create(
        media=media,
        language=language,
        label=label,
        kind=kind,
        is_default=default,
        file=ContentFile(vtt(cues), name=f"{language}-{kind}.vtt"),
    )


@pytest.fixture
def lesson_page(page, live_server, course, lecture_clip, settings):
    settings.ROOT_URLCONF = "tests.lessons.media_urls"  # the poster, from MEDIA_ROOT
    media = transcode_here(upload(lecture_clip, title="Frame rates", enqueue=False))
    track(media, "en", "English", ENGLISH, default=True)
    track(media, "fr", "Français", FRENCH)
    # Chapters as an editor writes them in the media edit view (or the worker reads them from the
    # source): the player gets them as the item's chapters track (Playback.chapters).
    Media.objects.filter(pk=media.pk).update(chapters="0:00 Frame rates\n0:06 Interlacing")
    lesson = video_lesson(course, media, title="Frame rates and fields")
    student = UserFactory(username="viewer")
    enroll(student, course)
    browser_log_in(page.context, live_server, student)
    page.media_item = media
    page.lesson_url = live_server.url + lesson.url
    return page


def state(page):
    return page.locator(VIDEO).evaluate(
        """v => ({
            rate: v.playbackRate, time: v.currentTime, muted: v.muted, paused: v.paused,
            engine: v.dataset.engine,
            tracks: Array.from(v.textTracks).map(t => [t.kind, t.language, t.mode]),
        })"""
    )


def wait_time(page, low, high):
    page.wait_for_function(
        f"() => {{ const v = document.querySelector('{VIDEO}'); "
        f"return v.currentTime >= {low} && v.currentTime <= {high}; }}",
        timeout=10_000,
    )


def open_player(page, size):
    page.set_viewport_size(VIEWPORTS[size])
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(page.lesson_url)
    # Nothing streams (nor runs hls.js) until the student shows intent: here, the pointer.
    page.wait_for_function("() => document.querySelector('.plyr') !== null", timeout=10_000)
    assert state(page)["engine"] is None
    page.locator(".plyr").hover()
    page.wait_for_function(
        f"() => document.querySelector('{VIDEO}').dataset.engine === 'hls.js' "
        f"&& document.querySelector('{VIDEO}').readyState >= 1",
        timeout=15_000,
    )
    return requests


def axe_violations(page):
    """axe-core's violations of WCAG 2.0-2.2 A and AA, of any impact, on the whole page
    (through the DevTools protocol, which the page's CSP does not govern)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    results = page.evaluate(
        """async () => await axe.run(document, {resultTypes: ['violations'], runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"""
    )
    return [(v["id"], [n["target"] for n in v["nodes"]]) for v in results["violations"]]


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_player_loads_one_stream_and_its_controls_pass_axe(lesson_page, size, artifacts_dir):
    page = lesson_page
    csp_errors = []
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
    requests = open_player(page, size)
    # One stream: hls.js's playlists and segments, never the MP4 renditions as well.
    assert not [url for url in requests if url.split("?")[0].endswith(".mp4")], requests
    assert any(url.split("?")[0].endswith(".m3u8") for url in requests)
    assert csp_errors == []
    page.screenshot(path=str(artifacts_dir / f"player-{size}.png"), full_page=True)
    assert axe_violations(page) == []
    # Every control has a name a screen reader reads.
    unnamed = page.locator(".plyr button, .plyr input").evaluate_all(
        """els => els.filter(e => !e.closest('[hidden]') && !(e.getAttribute('aria-label')
            || e.textContent.trim() || (e.labels && e.labels.length))).map(e => e.outerHTML)"""
    )
    assert unnamed == []


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_play_before_the_stream_is_chosen_still_plays(lesson_page, size):
    page = lesson_page
    page.set_viewport_size(VIEWPORTS[size])
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(page.lesson_url)
    page.wait_for_function("() => document.querySelector('.plyr') !== null", timeout=10_000)
    # No pointer, focus or touch first: play() itself chooses the stream; attaching it aborts
    # that first play() (a new load), and the player plays again once the stream is there.
    page.locator(VIDEO).evaluate("v => { v.muted = true; v.play().catch(() => {}); }")
    page.wait_for_function(f"() => document.querySelector('{VIDEO}').currentTime > 1", timeout=15_000)
    assert state(page)["engine"] == "hls.js" and state(page)["paused"] is False
    # The parser's choice of the first MP4 <source> was forgotten: it was never fetched.
    assert not [url for url in requests if url.split("?")[0].endswith(".mp4")], requests


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_speed_menu_sets_the_rate_and_a_new_page_remembers_it(lesson_page, size):
    page = lesson_page
    open_player(page, size)
    page.get_by_role("button", name="Settings").click()
    page.get_by_role("menuitem", name="Speed").click()
    page.get_by_role("menuitemradio", name="1.5\u00d7").click()
    assert state(page)["rate"] == 1.5
    assert page.evaluate("localStorage.getItem('ringlet.player.speed')") == "1.5"

    open_player(page, size)
    page.wait_for_function(f"() => document.querySelector('{VIDEO}').playbackRate === 1.5", timeout=5_000)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_keyboard_shortcuts_drive_the_media_element(lesson_page, size):
    page = lesson_page
    open_player(page, size)
    page.get_by_role("button", name="Play", exact=True).first.focus()
    page.keyboard.press("m")
    assert state(page)["muted"] is True
    page.keyboard.press("k")
    page.wait_for_function(f"() => !document.querySelector('{VIDEO}').paused", timeout=10_000)
    page.keyboard.press("k")
    assert state(page)["paused"] is True

    page.locator(VIDEO).evaluate("v => { v.currentTime = 2; }")
    wait_time(page, 1.9, 2.1)
    page.keyboard.press("l")
    wait_time(page, 11.5, 12.1)  # 2 + 10 s
    page.keyboard.press("j")
    wait_time(page, 1.5, 2.1)
    page.keyboard.press("ArrowRight")
    wait_time(page, 6.5, 7.1)  # + 5 s
    page.keyboard.press("ArrowLeft")
    wait_time(page, 1.5, 2.1)
    page.keyboard.press("5")
    wait_time(page, 5.9, 6.1)  # 50% of 12 s

    # Plyr sets the rate a moment later (a timer): wait for the element to take it.
    page.keyboard.press(">")
    page.wait_for_function(f"() => document.querySelector('{VIDEO}').playbackRate === 1.25", timeout=5_000)
    page.keyboard.press("<")
    page.wait_for_function(f"() => document.querySelector('{VIDEO}').playbackRate === 1", timeout=5_000)
    page.keyboard.press("<")
    page.wait_for_function(f"() => document.querySelector('{VIDEO}').playbackRate === 0.75", timeout=5_000)

    # Captions start on (the editor marked English default); c turns them off, then on again
    # (Plyr draws them, so the track is "hidden", never "disabled", while they show).
    page.wait_for_function("() => document.querySelector('.plyr--captions-active')", timeout=5_000)
    page.keyboard.press("c")
    page.wait_for_function("() => !document.querySelector('.plyr--captions-active')", timeout=5_000)
    page.keyboard.press("c")
    page.wait_for_function(
        f"() => Array.from(document.querySelector('{VIDEO}').textTracks)"
        ".some(t => t.kind === 'captions' && t.mode !== 'disabled')",
        timeout=5_000,
    )
    assert page.locator(".plyr__captions").is_visible()

    # ?: the help dialog, closed with Escape, focus back where it was.
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    dialog.wait_for()
    assert "Back / forward 10 seconds" in dialog.inner_text()
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.closest('.plyr') !== null")

    # f: full screen (Plyr's own, on the player's container).
    page.keyboard.press("f")
    page.wait_for_function(
        "() => document.fullscreenElement === document.querySelector('.plyr')", timeout=5_000
    )
    page.keyboard.press("f")
    page.wait_for_function("() => document.fullscreenElement === null", timeout=5_000)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_transcript_follows_playback_seeks_on_click_and_searches(lesson_page, size, artifacts_dir):
    page = lesson_page
    open_player(page, size)
    page.get_by_text("Interactive transcript").click()
    lines = page.locator(".media-transcript__line")
    assert lines.count() == 4
    assert lines.nth(1).inner_text().endswith("A camera records twenty-five frames each second.")

    lines.nth(2).click()  # "Interlaced video…", from 6 s
    wait_time(page, 6.0, 6.3)
    page.wait_for_function(
        "() => document.querySelectorAll('.media-transcript__line')[2]"
        ".getAttribute('aria-current') === 'true'",
        timeout=5_000,
    )
    # Playing on from there: the current line follows the video.
    page.locator(VIDEO).evaluate("v => { v.muted = true; v.currentTime = 9.5; }")
    page.wait_for_function(
        "() => document.querySelectorAll('.media-transcript__line')[3]"
        ".getAttribute('aria-current') === 'true'",
        timeout=5_000,
    )

    page.get_by_label("Search the transcript").fill("frames")
    visible = page.locator(".media-transcript__line:visible")
    assert visible.count() == 1
    assert page.locator(".media-transcript__line mark").inner_text() == "frames"
    assert page.locator(".media-transcript__status").inner_text() == "1 line matches \u201cframes\u201d."
    visible.first.click()
    wait_time(page, 3.0, 3.3)
    page.get_by_label("Search the transcript").fill("zebra")
    assert visible.count() == 0
    assert "No line matches" in page.locator(".media-transcript__status").inner_text()
    page.screenshot(path=str(artifacts_dir / f"player-transcript-{size}.png"), full_page=True)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_captions_menu_switches_language_and_the_transcript_follows(lesson_page, size):
    page = lesson_page
    open_player(page, size)
    page.get_by_role("button", name="Settings").click()
    page.get_by_role("menuitem", name="Captions").click()
    page.get_by_role("menuitemradio", name="Français").click()
    page.wait_for_function(
        f"() => Array.from(document.querySelector('{VIDEO}').textTracks)"
        ".some(t => t.language === 'fr' && t.mode === 'hidden')",
        timeout=5_000,
    )
    tracks = {(kind, language): mode for kind, language, mode in state(page)["tracks"]}
    assert tracks[("captions", "fr")] == "hidden"  # Plyr draws the cues of the chosen track
    page.locator(VIDEO).evaluate("v => { v.currentTime = 1; }")
    page.locator(".plyr__captions").get_by_text("Bienvenue au cours").wait_for(timeout=5_000)
    page.get_by_text("Interactive transcript").click()
    page.wait_for_function(
        "() => document.querySelectorAll('.media-transcript__line').length === 2", timeout=5_000
    )
    assert page.locator(".media-transcript__lines").get_attribute("lang") == "fr"


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_seek_bar_previews_show_the_sprite_cell_for_the_time_under_the_pointer(lesson_page, size):
    page = lesson_page
    media = page.media_item
    row = media.live_renditions().get(kind=Rendition.Kind.THUMBNAILS)
    assert row.path == "thumbs/thumbnails.vtt"
    open_player(page, size)
    page.wait_for_function("() => document.querySelector('.plyr__preview-thumb') !== null", timeout=10_000)
    seek = page.locator(".plyr__progress input[type=range]")
    box = seek.bounding_box()
    # Three quarters along the seek bar.
    page.mouse.move(box["x"] + box["width"] * 0.75, box["y"] + box["height"] / 2)
    page.mouse.move(box["x"] + box["width"] * 0.75 + 1, box["y"] + box["height"] / 2)
    thumb = page.locator(".plyr__preview-thumb--is-shown")
    thumb.wait_for(timeout=5_000)
    image = page.locator(".plyr__preview-thumb__image-container img").last
    page.wait_for_function(
        "() => { const i = document.querySelector('.plyr__preview-thumb__image-container img'); "
        "return i && i.complete && i.naturalWidth > 0; }",
        timeout=5_000,
    )
    src = image.get_attribute("src")
    assert "/media-files/signed/" in src and src.endswith("/thumbs/sprite-001.jpg")
    # The cell of the frame for the time Plyr shows under the pointer (one frame every 2 s,
    # cells 160 px wide in a row of 10): the image is shifted left by that cell's x.
    shown = page.locator(".plyr__preview-thumb__time-container").inner_text()
    minutes, seconds = (int(part) for part in shown.split(":"))
    at = minutes * 60 + seconds
    assert 7 <= at <= 11  # about three quarters of 12 s
    left = image.evaluate("i => parseFloat(i.style.left) / (i.clientWidth / i.naturalWidth)")
    assert round(left) == -160 * (at // 2)
    assert state(page)["time"] < 0.5  # hovering does not seek


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_chapters_list_and_markers_seek_to_their_start(lesson_page, size):
    page = lesson_page
    open_player(page, size)
    chapters = page.get_by_role("navigation", name="Chapters of Frame rates")
    chapters.get_by_role("button", name="Interlacing").click()
    wait_time(page, 6.0, 6.3)
    page.wait_for_function(
        "() => document.querySelectorAll('.media-chapters__button')[1]"
        ".getAttribute('aria-current') === 'step'",
        timeout=5_000,
    )
    # A marker on the seek bar where each chapter starts (the first, at 0 s, has none).
    assert page.locator(".plyr__progress__marker").count() == 1


@pytest.fixture(scope="session")
def two_language_hls(tmp_path_factory):
    """A clip with English and French audio, and its HLS with both as alternate audio
    renditions (EXT-X-MEDIA TYPE=AUDIO with LANGUAGE), as issue 23's pipeline makes them."""
    d = tmp_path_factory.mktemp("two-languages")
    ffmpeg(
        *["-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25"],
        *["-f", "lavfi", "-i", "sine=frequency=440", "-f", "lavfi", "-i", "sine=frequency=660"],
        *["-t", "6", "-map", "0:v", "-map", "1:a", "-map", "2:a", "-c:v", "libx264", "-preset", "ultrafast"],
        *["-pix_fmt", "yuv420p", "-c:a", "aac", "-metadata:s:a:0", "language=eng"],
        *["-metadata:s:a:1", "language=fra", str(d / "two.mp4")],
    )
    out = d / "hls"
    out.mkdir()
    ffmpeg(
        *["-i", str(d / "two.mp4"), "-map", "0:v", "-map", "0:a:0", "-map", "0:a:1"],
        *["-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-keyint_min", "50", "-sc_threshold", "0"],
        *["-c:a", "aac", "-f", "hls", "-hls_time", "2", "-hls_playlist_type", "vod"],
        *["-master_pl_name", "master.m3u8", "-var_stream_map"],
        "v:0,agroup:aud a:0,agroup:aud,language:en,name:English,default:yes "
        "a:1,agroup:aud,language:fr,name:French",
        *[
            "-hls_segment_filename",
            str(out / "stream_%v" / "seg_%03d.ts"),
            str(out / "stream_%v" / "index.m3u8"),
        ],
    )
    return d


def two_language_video(two_language_hls):
    """A clip through the real pipeline, its HLS then replaced (same version prefix) by the
    FFmpeg-made one with English and French audio renditions."""
    media = transcode_here(upload(two_language_hls / "two.mp4", title="Two languages", enqueue=False))
    prefix = media.version_prefix()
    default_storage.delete(f"{prefix}/hls/master.m3u8")
    for path in sorted((two_language_hls / "hls").rglob("*")):
        if path.is_file():
            with path.open("rb") as fh:
                default_storage.save(f"{prefix}/hls/{path.relative_to(two_language_hls / 'hls')}", fh)
    return media


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_audio_language_menu_switches_the_hls_audio_rendition(
    page, live_server, course, two_language_hls, settings, size
):
    settings.ROOT_URLCONF = "tests.lessons.media_urls"
    media = two_language_video(two_language_hls)
    lesson = video_lesson(course, media, title="Bilingual")
    student = UserFactory(username="bilingual")
    enroll(student, course)
    browser_log_in(page.context, live_server, student)
    page.set_viewport_size(VIEWPORTS[size])
    page.goto(live_server.url + lesson.url)
    page.wait_for_function("() => document.querySelector('.plyr') !== null", timeout=10_000)
    page.locator(".plyr").hover()
    menu = page.get_by_label("Audio language")
    menu.wait_for(timeout=15_000)
    assert menu.locator("option").all_inner_texts() == ["English", "French"]
    page.locator(VIDEO).evaluate("v => { v.muted = true; return v.play(); }")
    menu.select_option(label="French")
    page.wait_for_function(
        f"() => {{ const h = document.querySelector('{VIDEO}').ringletHls; "
        "return h.audioTrack === 1 && h.audioTracks[1].lang === 'fr'; }",
        timeout=5_000,
    )
    # The element plays on in the other language.
    page.wait_for_function(f"() => document.querySelector('{VIDEO}').currentTime > 2", timeout=15_000)
    assert state(page)["paused"] is False


def test_expired_segment_urls_bring_a_fresh_playlist_and_playback_goes_on(lesson_page, settings):
    """Signed URLs last MEDIA_SIGNED_URL_SECONDS; a segment asked for after that gets 410 (from
    Django here, from nginx at the edge), and the player asks for the playlist again, which signs
    new URLs, instead of falling back to the MP4 or stopping."""
    settings.MEDIA_SIGNED_URL_SECONDS = 4
    page = lesson_page
    answers = []
    page.on("response", lambda r: answers.append((r.status, r.url.split("?")[0])))
    open_player(page, "desktop")
    # Paused, the player buffers only the first 6 s segment; the second is asked for later.
    page.wait_for_function(
        "() => performance.getEntriesByType('resource').some(e => e.name.includes('seg_0000.ts'))",
        timeout=15_000,
    )
    page.wait_for_timeout(5000)  # every signed URL handed out so far has expired
    masters_before = sum(1 for _, url in answers if url.endswith("master.m3u8"))
    assert not any(url.endswith("seg_0001.ts") for _, url in answers)
    page.locator(VIDEO).evaluate("v => { v.muted = true; v.currentTime = 7; v.play().catch(() => {}); }")
    page.wait_for_function(f"() => document.querySelector('{VIDEO}').currentTime > 7.5", timeout=20_000)
    media_answers = [(s, u.rsplit("/", 3)[-3:]) for s, u in answers if ".m3u8" in u or ".ts" in u]
    assert any(status == 410 and url.endswith(".ts") for status, url in answers), media_answers
    assert sum(1 for _, url in answers if url.endswith("master.m3u8")) > masters_before
    assert state(page)["engine"] == "hls.js" and state(page)["paused"] is False


def test_a_player_far_below_the_fold_gets_plyr_only_when_the_student_comes_near_it(
    page, live_server, course, lecture_clip, settings
):
    """Plyr's set-up is a long task on a phone: a second player far down the lesson keeps the
    browser's own controls until it comes near the viewport or is reached by keyboard, then
    gets Plyr's, and the keyboard's focus lands on its play button."""
    settings.ROOT_URLCONF = "tests.lessons.media_urls"
    media = transcode_here(upload(lecture_clip, title="Frame rates", enqueue=False))
    listing = "\n".join(f"line {n}" for n in range(200))  # a tall block between the two players
    lesson = video_lesson(
        course,
        media,
        extra_blocks=[
            ("code", {"language": "text", "code": listing, "caption": ""}),
            ("video", {"video": media, "caption": "", "transcript": ""}),
        ],
    )
    student = UserFactory(username="scroller")
    enroll(student, course)
    browser_log_in(page.context, live_server, student)
    page.set_viewport_size(VIEWPORTS["phone"])
    page.goto(live_server.url + lesson.url)

    page.wait_for_function("() => document.querySelector('.plyr') !== null", timeout=10_000)
    far = page.locator(VIDEO).nth(1)
    assert page.locator(".plyr").count() == 1
    assert far.evaluate("v => v.controls && !v.closest('.plyr')")

    far.focus()  # Tab would land here: the browser's controls are focusable
    page.wait_for_function("() => document.querySelectorAll('.plyr').length === 2", timeout=10_000)
    page.wait_for_function(
        "() => document.activeElement.matches('.plyr button[data-plyr=play]') "
        "&& document.activeElement.closest('.media-player') === "
        f"document.querySelectorAll('{VIDEO}')[1].closest('.media-player')",
        timeout=10_000,
    )
    assert far.evaluate("v => !v.controls")
    page.keyboard.press("m")
    assert far.evaluate("v => v.muted")
