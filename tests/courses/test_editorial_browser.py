"""In Chromium: an instructor starts a course with a video lesson and submits it; an editor
approves it; it appears in the catalogue. Screenshots of each step at desktop width."""

import pytest
from django.contrib.auth.models import Group

from courses.roles import EDITORS, ensure_workflow
from tests.factories import CourseIndexPageFactory, UserFactory
from tests.page_fixtures import make_home, make_media
from tests.user_fixtures import browser_log_in, make_instructor

DESKTOP = {"width": 1280, "height": 900}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_instructor_builds_and_submits_a_course_an_editor_approves_it_and_it_is_in_the_catalogue(
    page, live_server, artifacts_dir
):
    catalogue = CourseIndexPageFactory(parent=make_home())
    catalogue.save_revision().publish()
    ensure_workflow()  # the catalogue's own signal does it too; explicit, as the test relies on it
    instructor, _ = make_instructor("ines", name="Ines Instructor")
    editor = UserFactory(username="edna")
    editor.groups.add(Group.objects.get(name=EDITORS))
    clip = make_media("Welcome clip")
    page.set_viewport_size(DESKTOP)

    def shoot(name):
        page.screenshot(path=str(artifacts_dir / f"editorial-{name}.png"), full_page=True)

    # 1. The instructor starts a course from the admin menu.
    browser_log_in(page.context, live_server, instructor)
    page.goto(live_server.url + "/admin/")
    page.get_by_role("link", name="New course").click()
    page.get_by_label("Title").fill("Filming for learners")
    page.get_by_label("Summary").fill("Plan, shoot and edit short teaching videos.")
    shoot("1-new-course")
    page.get_by_role("button", name="Create the course").click()
    page.wait_for_url("**/admin/pages/*/edit/")
    from courses.models import CoursePage

    course = CoursePage.objects.get(title="Filming for learners")
    # The course's own collection exists now: the clip goes in it (as if uploaded there).
    clip.collection = course.access.collection
    clip.save()
    shoot("2-course-edit")

    # 2. A lesson with a video block, chosen from the course's collection, submitted for review.
    page.goto(f"{live_server.url}/admin/pages/add/lessons/lessonpage/{course.pk}/")
    page.locator("#id_title").fill("Your first shot")
    page.locator("#panel-child-content-body-content button[title='Insert a block']").first.click()
    page.get_by_role("option", name="Video").click()
    page.get_by_role("button", name="Choose video").first.click()
    page.get_by_role("link", name="Welcome clip").click()
    page.get_by_text("Welcome clip").first.wait_for()
    shoot("3-lesson-with-video")
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Submit to Course review").click()
    page.wait_for_url("**/admin/pages/*/")
    from lessons.models import LessonPage

    lesson = LessonPage.objects.get(title="Your first shot")
    assert lesson.current_workflow_state.status == "in_progress"
    assert lesson.media_ids() == [clip.pk]

    # 3. The course itself, submitted.
    page.goto(f"{live_server.url}/admin/pages/{course.pk}/edit/")
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Submit to Course review").click()
    page.wait_for_url("**/admin/pages/**")
    shoot("4-submitted")
    assert CoursePage.objects.get(pk=course.pk).current_workflow_state.status == "in_progress"
    assert not CoursePage.objects.get(pk=course.pk).live

    # 4. The editor approves both from their dashboard: the lesson first, since a course with
    # no published lesson cannot go live.
    page.context.clear_cookies()
    browser_log_in(page.context, live_server, editor)
    page.goto(live_server.url + "/admin/")
    shoot("5-editor-dashboard")
    for target in (lesson, course):
        page.goto(f"{live_server.url}/admin/pages/{target.pk}/edit/")
        page.get_by_role("button", name="More actions").click()
        page.get_by_role("button", name="Approve and Publish", exact=True).click()
        page.wait_for_url("**/admin/pages/*/")
    shoot("6-approved")
    assert CoursePage.objects.get(pk=course.pk).live
    assert LessonPage.objects.get(pk=lesson.pk).live

    # 5. The course is in the catalogue.
    page.context.clear_cookies()
    page.goto(live_server.url + catalogue.url)
    page.get_by_role("link", name="Filming for learners").first.wait_for()
    shoot("7-catalogue")
