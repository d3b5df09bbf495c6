"""A student in Chromium closes the lesson while the video plays: the position still arrives
(navigator.sendBeacon on pagehide, kept in Redis) and the flush writes it to PostgreSQL."""

import subprocess

import pytest

from courses.services import enroll
from lessons import playback_buffer
from lessons.models import PlaybackPosition
from tests.factories import CourseIndexPageFactory, CoursePageFactory, UserFactory
from tests.media_fixtures import transcode_here, upload
from tests.page_fixtures import video_lesson
from tests.processes import wait_for
from tests.user_fixtures import browser_log_in

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="session")
def ten_second_video(tmp_path_factory):
    path = tmp_path_factory.mktemp("video") / "lecture.mp4"
    subprocess.run(
        [
            "ffmpeg", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25",
            "-f", "lavfi", "-i", "sine=frequency=440",
            "-t", "10", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac",
            "-movflags", "+faststart", str(path),
        ],
        check=True,
    )  # fmt: skip
    return path


def test_closing_the_page_while_playing_sends_the_position_by_beacon(
    page, live_server, settings, ten_second_video
):
    from demo.home import ensure_home_page

    settings.ROOT_URLCONF = "tests.lessons.media_urls"
    playback_buffer.flush()  # nothing of another test's left to flush below
    catalogue = CourseIndexPageFactory(parent=ensure_home_page())
    course = CoursePageFactory(parent=catalogue, title="Closing tabs", cover_image=None)
    media = transcode_here(upload(ten_second_video, title="Lecture", enqueue=False))
    lesson = video_lesson(course, media, title="Watch and leave")
    student = UserFactory(username="leaver")
    enroll(student, course)
    browser_log_in(page.context, live_server, student)
    sent = []
    page.on("request", lambda r: sent.append(r) if r.url.endswith("/learn/playback/") else None)

    page.goto(live_server.url + lesson.url)
    video = page.locator(f'video[data-media-id="{media.pk}"]')
    video.evaluate("v => { v.muted = true; return v.play(); }")
    page.wait_for_function("document.querySelector('video').currentTime > 2.5", timeout=20000)
    # What reached the server so far was sent near the start (the next regular report is 15 s away).
    assert len(sent) >= 1
    saved = PlaybackPosition.objects.filter(user=student).values_list("position", flat=True).first() or 0
    buffered = playback_buffer.buffered_positions(student.pk, [media.pk]).get(media.pk, (0, 0))[0]
    assert max(saved, buffered) < 2.5
    page.close(run_before_unload=True)

    def arrived():
        buffered = playback_buffer.buffered_positions(student.pk, [media.pk])
        return buffered.get(media.pk, (0, 0))[0] > 2.5

    wait_for(arrived, timeout=15, message="the beacon's position in Redis")
    assert playback_buffer.flush() == 1
    row = PlaybackPosition.objects.get(user=student, media=media)
    assert 2.5 < row.position < 10
    assert row.lesson_id == lesson.pk
