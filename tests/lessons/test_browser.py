"""A student in Chromium: catalogue, search, enroll in a course, and its lessons with next and previous."""

import pytest

from courses.services import enroll, published_lessons
from demo.courses import ensure_catalogue, ensure_courses, ensure_instructor
from demo.home import ensure_home_page
from demo.lessons import ensure_lessons
from lessons.services import set_lesson_complete
from tests.factories import UserFactory
from tests.user_fixtures import browser_log_in

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_student_finds_a_course_enrolls_and_steps_through_its_lessons(page, live_server, artifacts_dir):
    catalogue = ensure_catalogue(ensure_home_page())
    ensure_lessons(ensure_courses(catalogue, ensure_instructor()))
    from courses.models import CoursePage

    course = CoursePage.objects.get(slug="audio-and-video-for-learning")
    lesson_titles = [lesson.title for lesson in published_lessons(course)]
    assert len(lesson_titles) == 3
    # Lessons past the free preview are for enrolled students, and this course requires
    # "Wagtail for beginners": the student has completed it already.
    student = UserFactory(username="learner")
    beginners = CoursePage.objects.get(slug="wagtail-for-beginners")
    assert course.prerequisite_ids == [beginners.pk]
    enroll(student, beginners)
    for lesson in published_lessons(beginners):
        set_lesson_complete(student, lesson)
    browser_log_in(page.context, live_server, student)

    # Network requests leaving the site (the browser's own PDF viewer loads chrome:// files).
    outside = []
    page.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if r.url.startswith("http") and not r.url.startswith(live_server.url)
            else None
        ),
    )

    def shoot(name):
        for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)
            page.screenshot(path=str(artifacts_dir / f"courses-{name}-{label}.png"), full_page=True)
        page.set_viewport_size(DESKTOP)

    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Courses", exact=True).click()
    assert page.locator("h1").inner_text() == "Courses"
    assert page.locator(".course-card").count() == 3
    shoot("catalogue")

    page.get_by_label("Search courses and lessons").fill("narration")
    page.keyboard.press("Enter")
    page.wait_for_url("**/courses/?q=narration*")
    assert page.get_by_role("status").inner_text() == "1 course matching “narration”"
    shoot("search")

    page.get_by_role("link", name="Audio and video for learning").click()
    assert page.locator("h1").inner_text() == "Audio and video for learning"
    assert page.locator(".outline__lesson").count() == 3
    shoot("course")

    page.get_by_role("button", name="Enroll in this course").click()
    page.get_by_text("You are enrolled in “Audio and video for learning”").wait_for()
    page.get_by_role("link", name=f"Start with “{lesson_titles[0]}”").click()
    seen = [page.locator("h1").inner_text()]
    shoot("lesson")
    # Keyboard only: focus the "Next" link and press Enter, across module boundaries.
    while page.locator("a[rel=next]").count():
        page.locator("a[rel=next]").focus()
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none", "focused links must show a visible outline"
        with page.expect_navigation():
            page.keyboard.press("Enter")
        seen.append(page.locator("h1").inner_text())
    assert seen == lesson_titles
    assert page.get_by_role("link", name="Back to the course").count() == 1

    page.locator("a[rel=prev]").click()
    assert page.locator("h1").inner_text() == lesson_titles[-2]
    assert page.locator('.lesson-sidebar [aria-current="page"]').inner_text() == lesson_titles[-2]
    shoot("lesson-previous")

    # The phone layout has no horizontal scrolling.
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert outside == [], f"pages loaded resources from outside the site: {outside}"
