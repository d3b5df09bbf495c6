"""Issue 16, end to end in Chromium: an anonymous visitor's first ten minutes.

Home → a catalogue card → the course → a free lesson → a locked lesson that explains
itself → sign up → back on that lesson, enrolled. Each step is screenshotted at phone and
desktop widths (test-artifacts/) and checked with axe-core: no critical or serious violations.
"""

import re
from pathlib import Path

import pytest
from django.core import mail

from demo.home import ensure_home_blocks
from tests.account_fixtures import PASSWORD, link_in
from tests.factories import CoursePageFactory, LessonPageFactory
from tests.processes import wait_for

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fresh_rate_limits"),
]

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
EMAIL = "first.visit@example.com"


def axe_violations(page):
    """axe-core's critical and serious violations on the current page (rule id and targets)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, which the page's CSP (no inline script)
        # does not govern; a <script> tag added by add_script_tag would be refused by it.
        page.evaluate(AXE.read_text())
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        (violation["id"], [node["target"] for node in violation["nodes"]])
        for violation in results["violations"]
        if violation["impact"] in ("critical", "serious")
    ]


def step(page, artifacts_dir, number, name):
    """Screenshot the page at both widths and check it with axe at each."""
    for label, viewport in VIEWPORTS.items():
        page.set_viewport_size(viewport)
        page.screenshot(path=str(artifacts_dir / f"first-visit-{number}-{name}-{label}.png"), full_page=True)
        assert axe_violations(page) == [], f"{name} at {label} width"


@pytest.fixture
def site(home, catalogue):
    course = CoursePageFactory(
        parent=catalogue, title="Python from zero", summary="Variables, loops and functions, gently."
    )
    free = LessonPageFactory(
        parent=course,
        title="Hello, Python",
        free_preview=True,
        summary="Your first program.",
        body=[("paragraph", "<p>Type <code>print('hello')</code> and press Enter.</p>")],
    )
    locked = LessonPageFactory(
        parent=course,
        title="Loops",
        summary="Doing things again and again.",
        body=[("paragraph", "<p>A for loop walks through a list.</p>")],
    )
    ensure_home_blocks(home, catalogue)
    return {"course": course, "free": free, "locked": locked}


@pytest.mark.skipif(
    not AXE.exists(), reason="axe-core is installed by npm ci (package.json); run `make venv`"
)
def test_an_anonymous_visitor_finds_a_course_tries_a_lesson_signs_up_and_lands_back_enrolled(
    page, live_server, artifacts_dir, site
):
    course, free, locked = site["course"], site["free"], site["locked"]
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Browse the courses").wait_for()
    step(page, artifacts_dir, 1, "home")

    # The whole card is the link's target: a click on its summary (covered by the title
    # link's stretched area, hence force: Playwright would wait for it to be uncovered) opens the course.
    page.set_viewport_size(VIEWPORTS["desktop"])
    page.locator(".course-card", has_text=course.title).get_by_text(course.summary).click(force=True)
    page.wait_for_url(live_server.url + course.url)
    page.get_by_role("heading", level=1, name=course.title).wait_for()
    assert (
        page.locator(".outline__lesson", has_text=locked.title)
        .get_by_text("Enrolled students only")
        .is_visible()
    )
    step(page, artifacts_dir, 2, "course")

    page.get_by_role("link", name=f"Try a free lesson: “{free.title}”").click()
    page.get_by_role("heading", level=1, name=free.title).wait_for()
    step(page, artifacts_dir, 3, "free-lesson")

    page.locator("a[rel=next]").click()
    page.get_by_text("This lesson is for enrolled students").wait_for()
    assert page.url == live_server.url + locked.url
    assert "A for loop walks" not in page.content()
    step(page, artifacts_dir, 4, "locked-lesson")

    page.get_by_role("button", name="Sign up and enroll").click()
    page.wait_for_url(re.compile(r"/accounts/signup/\?next="))
    page.get_by_label("Your full name").fill("Nina Newbie")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password", exact=False).first.fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    step(page, artifacts_dir, 5, "sign-up")
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url("**/accounts/confirm-email/")

    message = wait_for(lambda: mail.outbox and mail.outbox[-1], message="the verification email")
    page.goto(link_in(message, "/accounts/confirm-email/"))
    page.get_by_role("button", name="Confirm").click()

    page.wait_for_url(live_server.url + locked.url)
    page.get_by_role("heading", level=1, name=locked.title).wait_for()
    assert "You are enrolled in “Python from zero”" in page.locator(".messages").inner_text()
    assert "A for loop walks through a list." in page.locator(".lesson__body").inner_text()
    assert page.get_by_role("button", name="Mark as complete").is_visible()
    step(page, artifacts_dir, 6, "back-on-the-lesson-enrolled")
