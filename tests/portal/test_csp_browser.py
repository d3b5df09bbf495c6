"""Issue 11: a Content-Security-Policy that forbids inline script, with the site, the player and
both admins still working in Chromium: no CSP violation while browsing and playing a video."""

import pytest
from django.contrib.auth import get_user_model

from courses.services import enroll
from tests.account_fixtures import PASSWORD, make_student
from tests.media_fixtures import play_muted, transcode_here, upload
from tests.page_fixtures import video_lesson
from tests.user_fixtures import browser_log_in

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Installed before any page script runs; records what the browser refused.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(
    `${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`));
"""


@pytest.fixture
def watched_page(page):
    page.add_init_script(WATCH_VIOLATIONS)
    console = []
    page.on(
        "console",
        lambda msg: console.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.csp_console = console
    return page


def violations(page):
    return page.evaluate("() => window.__cspViolations || []") + page.csp_console


@pytest.fixture
def video_course(build_course, clips):
    media = transcode_here(upload(clips / "sd.mp4", title="CSP lecture", enqueue=False))
    course = build_course("Secure course", modules=1, per_module=1)
    lesson = video_lesson(course, media, title="Watch securely", free_preview=True)
    return course, lesson, media


def test_student_pages_load_and_the_video_plays_with_no_csp_violation(
    watched_page, live_server, video_course, artifacts_dir
):
    page = watched_page
    course, lesson, _media = video_course
    student = make_student("csp@example.com")
    enroll(student, course)

    for path in ("/", course.get_parent().url, "/accounts/login/", "/accounts/signup/"):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert "unsafe-inline" not in response.headers["content-security-policy"].split("style-src")[0]

    # Logging in through the form itself, then the student's pages.
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("csp@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    page.wait_for_url("**/dashboard/")
    for path in (course.url, "/accounts/profile/", "/dashboard/"):
        assert page.goto(live_server.url + path).status == 200, path

    page.goto(live_server.url + lesson.url)
    assert play_muted(page, "video.media-player__element") == "hls.js"
    page.screenshot(path=str(artifacts_dir / "csp-lesson-playing.png"))
    assert violations(page) == []


def test_the_wagtail_and_django_admins_work_under_their_policy_with_no_violation(
    watched_page, live_server, video_course, client
):
    page = watched_page
    course, lesson, media = video_course
    admin = get_user_model().objects.create_superuser("boss", "boss@example.com", PASSWORD)
    browser_log_in(page.context, live_server, admin)

    for path in (
        "/admin/",
        "/admin/pages/",
        f"/admin/pages/{lesson.pk}/edit/",
        f"/admin/pages/{course.pk}/edit/",
        "/admin/images/",
        "/admin/documents/",
        "/admin/media/",
        "/admin/users/",
        "/django-admin/",
    ):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert "frame-ancestors 'self'" in response.headers["content-security-policy"], path
        page.wait_for_load_state("networkidle")

    # The site's pages, with Wagtail's user bar (shown to editors) under the site's policy.
    page.goto(live_server.url + lesson.url)
    page.locator("wagtail-userbar").wait_for(state="attached")
    assert play_muted(page, "video.media-player__element") == "hls.js"

    page.goto(f"{live_server.url}/admin/media/edit/{media.pk}/")
    assert play_muted(page, ".media-preview video") == "hls.js"
    assert violations(page) == []
