"""A student in Chromium: enroll, work through a course (one lesson by watching its video), reach 100%."""

import subprocess

import pytest

from courses.models import Enrollment
from lessons.models import LessonCompletion, PlaybackPosition
from tests.factories import CourseIndexPageFactory, CoursePageFactory, LessonPageFactory, UserFactory
from tests.media_fixtures import play_muted, upload, wait_until_settled
from tests.page_fixtures import video_lesson
from tests.user_fixtures import browser_log_in

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="session")
def short_video(tmp_path_factory):
    """A 4-second H.264/AAC clip made with FFmpeg (small: the pipeline encodes it quickly)."""
    path = tmp_path_factory.mktemp("video") / "clip.mp4"
    subprocess.run(
        [
            "ffmpeg", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25",
            "-f", "lavfi", "-i", "sine=frequency=440",
            "-t", "4", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac",
            "-movflags", "+faststart", str(path),
        ],
        check=True,
    )  # fmt: skip
    return path


def test_student_enrolls_completes_every_lesson_and_sees_100_percent(
    page, live_server, artifacts_dir, settings, short_video, celery_worker
):
    from demo.home import ensure_home_page

    settings.ROOT_URLCONF = "tests.lessons.media_urls"
    home = ensure_home_page()
    catalogue = CourseIndexPageFactory(parent=home)
    course = CoursePageFactory(parent=catalogue, title="Wagtail in a week", cover_image=None)
    LessonPageFactory(parent=course, title="Welcome", free_preview=True)
    LessonPageFactory(parent=course, title="Pages and models")
    # The lesson's video plays once the worker has encoded it, as after an instructor's upload.
    media = wait_until_settled(upload(short_video, title="Tour of the admin"))
    assert media.status == media.Status.READY, media.error
    assert 3.9 < media.duration < 4.1
    watched = video_lesson(course, media, title="Watch the tour")
    student = UserFactory(username="ada")
    browser_log_in(page.context, live_server, student)

    page.goto(live_server.url + course.url)
    page.get_by_role("button", name="Enroll in this course").click()
    page.get_by_text("You are enrolled in “Wagtail in a week”").wait_for()
    bar = page.locator("progress.progress__bar")
    assert bar.get_attribute("value") == "0" and bar.get_attribute("max") == "3"
    assert Enrollment.objects.filter(user=student, course=course).count() == 1

    # Read the first two lessons; "Mark as complete" moves on to the next one.
    page.get_by_role("link", name="Start with “Welcome”").click()
    page.get_by_role("button", name="Mark as complete").click()
    page.get_by_role("heading", name="Pages and models").wait_for()
    page.get_by_role("button", name="Mark as complete").click()
    page.get_by_role("heading", name="Watch the tour").wait_for()

    # Watch part of the video, leave, come back: it resumes where it stopped.
    video = page.locator(f'video[data-media-id="{media.pk}"]')
    play_muted(page, f'video[data-media-id="{media.pk}"]', past=1.5)
    with page.expect_response(lambda r: r.url.endswith("/learn/playback/") and r.ok):
        video.evaluate("v => v.pause()")
    saved = PlaybackPosition.objects.get(user=student, media=media).position
    assert 1.5 < saved < 4
    page.reload()
    # The player loads its stream when the student comes to it (here, the pointer over it).
    page.locator(".media-player").first.hover()
    page.wait_for_function(f"document.querySelector('video').currentTime >= {saved - 0.05}", timeout=15000)

    # Watch to the end: the heartbeat marks the video-only lesson complete by itself.
    with page.expect_response(
        lambda r: r.url.endswith("/learn/playback/") and r.ok and r.json()["lesson_completed"], timeout=20000
    ):
        video.evaluate("v => { v.muted = true; return v.play(); }")
    assert LessonCompletion.objects.filter(user=student, lesson=watched).exists()

    page.goto(live_server.url + course.url)
    bar = page.locator("progress.progress__bar")
    assert bar.get_attribute("value") == bar.get_attribute("max") == "3"
    assert "3 of 3 lessons complete (100%)" in page.locator(".progress__text").inner_text()
    assert page.locator(".outline__check").count() == 3
    assert Enrollment.objects.get(user=student, course=course).completed_at is not None
    page.screenshot(path=str(artifacts_dir / "course-progress-100.png"), full_page=True)

    page.goto(live_server.url + "/dashboard/")
    page.get_by_role("heading", name="Completed").wait_for()
    assert "Wagtail in a week" in page.locator("section", has_text="Completed on").inner_text()
    page.screenshot(path=str(artifacts_dir / "dashboard.png"), full_page=True)
