"""Issue 4, end to end in Chromium: a visitor signs up, verifies, enrolls, completes a course.

Everything the student does goes through the browser. The live server runs in this process
with the locmem email backend, so the verification email is read from ``mail.outbox``.
"""

import re

import pytest
from django.core import mail

from courses.services import enroll
from lessons.services import set_lesson_complete
from tests.account_fixtures import PASSWORD, link_in, make_student
from tests.page_fixtures import lessons_of
from tests.processes import wait_for

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fresh_rate_limits"),
]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
EMAIL = "grace@example.com"


def shot(page, artifacts_dir, name, viewport=DESKTOP):
    page.set_viewport_size(viewport)
    page.screenshot(path=str(artifacts_dir / f"journey-{name}.png"), full_page=True)


@pytest.fixture
def course(build_course):
    """Published, two modules of two lessons, none of them a free preview."""
    return build_course("Wagtail from scratch", modules=2, per_module=2)


def outline(page):
    return page.locator("section", has=page.get_by_role("heading", name="Course outline"))


def test_visitor_signs_up_verifies_enrolls_and_completes_every_lesson(
    page, live_server, artifacts_dir, course
):
    lessons = lessons_of(course)
    assert len(lessons) == 4 and not any(lesson.free_preview for lesson in lessons)
    page.set_viewport_size(DESKTOP)

    # A visitor finds the course in the catalogue.
    page.goto(live_server.url + course.get_parent().url)
    page.get_by_role("link", name="Wagtail from scratch").click()
    page.get_by_role("heading", level=1, name="Wagtail from scratch").wait_for()
    shot(page, artifacts_dir, "1-course-anonymous")

    # Lessons are for enrolled students: the first one says so and offers to sign up and enroll.
    outline(page).get_by_role("link", name=lessons[0].title, exact=True).click()
    page.get_by_text("This lesson is for enrolled students").wait_for()
    assert page.url == live_server.url + lessons[0].url

    # No account yet: sign up, then verify the address from the email.
    page.get_by_role("button", name="Sign up and enroll").click()
    # The sign-up link keeps the way back to the lesson.
    page.wait_for_url(re.compile(r"/accounts/signup/\?next="))
    page.get_by_label("Your full name").fill("Sam Student")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password", exact=False).first.fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url("**/accounts/confirm-email/")
    shot(page, artifacts_dir, "2-verify-your-email")

    message = wait_for(lambda: mail.outbox and mail.outbox[-1], message="the verification email")
    assert message.to == [EMAIL]
    page.goto(link_in(message, "/accounts/confirm-email/"))
    page.get_by_role("button", name="Confirm").click()

    # Confirming in the browser that signed up logs the student in, enrolls them (the course
    # has no capacity or window) and resumes the way to the lesson.
    page.wait_for_url(live_server.url + lessons[0].url)
    messages = page.locator(".messages").inner_text()
    assert f"{EMAIL} is confirmed." in messages
    assert "You are logged in as" in messages
    assert "You are enrolled in “Wagtail from scratch”" in messages
    assert page.get_by_role("button", name="Log out").is_visible()
    page.goto(live_server.url + course.url)
    bar = page.locator("progress.progress__bar")
    assert (bar.get_attribute("value"), bar.get_attribute("max")) == ("0", "4")
    shot(page, artifacts_dir, "3-enrolled")

    # Work through the course: "Mark as complete" moves on to the next lesson, then back to the course.
    page.get_by_role("link", name=f"Start with “{lessons[0].title}”").click()
    for number, lesson in enumerate(lessons, start=1):
        page.get_by_role("heading", level=1, name=lesson.title).wait_for()
        if number > 1:
            done = lessons[number - 2].title
            assert f"“{done}” is marked complete." in page.locator(".messages").inner_text()
        assert f"Lesson {number} of 4" in page.locator(".lesson__meta").inner_text()
        if number == 2:
            shot(page, artifacts_dir, "4-lesson")
        page.get_by_role("button", name="Mark as complete").click()

    page.get_by_text("Congratulations: you have completed “Wagtail from scratch”!").wait_for()
    page.wait_for_url(live_server.url + course.url)
    bar = page.locator("progress.progress__bar")
    assert (bar.get_attribute("value"), bar.get_attribute("max")) == ("4", "4")
    assert bar.get_attribute("aria-valuetext") == "4 of 4 lessons complete (100%)"
    text = page.locator(".progress__text")
    assert text.inner_text() == "4 of 4 lessons complete (100%)"
    assert text.get_attribute("data-progress-percent") == "100"
    for lesson in lessons:
        link = page.get_by_role("link", name=lesson.title, exact=True)
        row = outline(page).locator(".outline__lesson", has=link)
        assert row.get_by_role("img", name="Completed").is_visible(), lesson.title
    assert page.get_by_text("You completed this course on").is_visible()
    shot(page, artifacts_dir, "5-course-complete-phone", PHONE)
    assert page.locator("progress.progress__bar").is_visible()

    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/dashboard/")
    completed = page.locator("section", has=page.get_by_role("heading", name="Completed"))
    completed.get_by_role("link", name="Wagtail from scratch", exact=True).wait_for()
    assert "Completed on" in completed.inner_text()
    in_progress = page.locator("section", has=page.get_by_role("heading", name="In progress"))
    assert "Wagtail from scratch" not in in_progress.inner_text()
    shot(page, artifacts_dir, "6-dashboard")


def test_student_back_after_a_break_continues_at_the_first_unfinished_lesson(
    page, live_server, artifacts_dir, course
):
    lessons = lessons_of(course)
    student = make_student(EMAIL, verified=True)
    enroll(student, course)
    # Stopped halfway, and not in order: the first and third lessons are done.
    set_lesson_complete(student, lessons[0], True)
    set_lesson_complete(student, lessons[2], True)

    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    # Logging in lands on the dashboard.
    page.wait_for_url("**/dashboard/")
    in_progress = page.locator("section", has=page.get_by_role("heading", name="In progress"))
    resume = in_progress.get_by_role("link", name=f"Continue: “{lessons[1].title}”")
    assert resume.get_attribute("href") == lessons[1].url

    page.goto(live_server.url + course.url)
    assert page.locator(".progress__text").inner_text() == "2 of 4 lessons complete (50%)"
    shot(page, artifacts_dir, "7-continue")
    page.get_by_role("link", name=f"Continue where you left off: “{lessons[1].title}”").click()
    page.get_by_role("heading", level=1, name=lessons[1].title).wait_for()
    assert page.url == live_server.url + lessons[1].url
    assert page.get_by_role("button", name="Mark as complete").is_visible()
