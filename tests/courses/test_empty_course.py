"""A course with no published lesson yet: not published, not open for enrollment, and its share
link says so; a share link's reader has nothing to leave."""

import pytest
from django.test import Client
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from courses.models import CoursePage
from courses.services import EnrollmentRefused, enroll
from sharing.services import create_link
from tests.factories import CoursePageFactory, LessonPageFactory
from tests.user_fixtures import make_instructor, teach

pytestmark = pytest.mark.django_db
NO_LESSONS = "This course has no lessons yet, so it is not open for enrollment."


@pytest.fixture
def empty(catalogue):
    """A published course whose lessons are all drafts (published before the rule existed)."""
    course = CoursePageFactory(parent=catalogue, title="Nothing here yet")
    LessonPageFactory(parent=course, title="Still a draft", live=False)
    return course


def course_form(course):
    return nested_form_data(
        {
            "title": course.title,
            "slug": course.slug,
            "summary": "Soon.",
            "level": "beginner",
            "language": "en",
            "description": rich_text(""),
            "learning_outcomes": streamfield([]),
            "tags": "",
        }
    )


def test_nobody_enrolls_in_a_course_without_a_published_lesson(client, empty, student):
    with pytest.raises(EnrollmentRefused, match="no lessons yet"):
        enroll(student, empty)
    client.force_login(student)
    page = client.get(empty.url).content.decode()
    assert NO_LESSONS in page and "Enroll in this course" not in page
    assert "No lessons are published in this course yet." in page
    response = client.post(f"/learn/courses/{empty.pk}/enroll/", follow=True)
    assert f"You cannot enroll in “{empty.title}”: {NO_LESSONS}" in response.content.decode()
    assert not empty.enrollments.exists()


def test_publishing_a_course_without_a_published_lesson_is_refused_with_the_reason(client, editor, catalogue):
    course = CoursePageFactory(parent=catalogue, title="Draft course", live=False)
    LessonPageFactory(parent=course, title="Draft lesson", live=False)
    client.force_login(editor)
    data = {**course_form(course), "action-publish": "publish"}
    response = client.post(f"/admin/pages/{course.pk}/edit/", data, follow=True)
    html = response.content.decode()
    assert "has no published lesson yet, so it cannot be published" in html
    assert not CoursePage.objects.get(pk=course.pk).live

    LessonPageFactory(parent=course, title="Published lesson")  # live
    client.post(f"/admin/pages/{course.pk}/edit/", data)
    assert CoursePage.objects.get(pk=course.pk).live


def test_a_course_already_live_still_publishes_its_changes(client, editor, empty):
    """Editing a published course is never blocked; unpublishing it takes it offline."""
    client.force_login(editor)
    data = {**course_form(empty), "title": "Renamed", "action-publish": "publish"}
    client.post(f"/admin/pages/{empty.pk}/edit/", data)
    course = CoursePage.objects.get(pk=empty.pk)
    assert course.live and course.title == "Renamed"


def test_a_new_course_cannot_be_published_from_the_create_view(client, editor, catalogue):
    client.force_login(editor)
    data = {**course_form(CoursePage(title="Brand new", slug="brand-new")), "action-publish": "publish"}
    response = client.post(f"/admin/pages/add/courses/coursepage/{catalogue.pk}/", data, follow=True)
    assert "has no published lesson yet, so it cannot be published" in response.content.decode()
    course = CoursePage.objects.get(slug="brand-new")
    assert not course.live  # kept as a draft


def test_approving_a_course_without_a_published_lesson_is_refused_in_the_editor(client, editor, catalogue):
    user, teacher = make_instructor("ines")
    course = teach(CoursePageFactory(parent=catalogue, title="In review", live=False), teacher)
    course.save_revision(user=user)
    course.get_workflow().start(course, user)
    client.force_login(editor)
    data = {**course_form(course), "action-workflow-action": "true", "workflow-action-name": "approve"}
    response = client.post(f"/admin/pages/{course.pk}/edit/", data, follow=True)
    assert "has no published lesson yet, so it cannot be published" in response.content.decode()
    course = CoursePage.objects.get(pk=course.pk)
    assert not course.live and course.current_workflow_state.status == "in_progress"


def test_a_share_link_to_a_new_course_says_it_has_no_lessons_and_offers_nothing_to_leave(editor, catalogue):
    course = CoursePageFactory(parent=catalogue, title="Started today", live=False)
    course.save_revision()
    _, token = create_link(course, editor)
    html = Client().get(f"/share/{token}/").content.decode()
    assert "Started today" in html and "No lessons are published in this course yet." in html
    assert "Leave this course" not in html and "<progress" not in html


def test_a_share_link_reader_reads_as_an_enrolled_student_without_a_leave_button(editor, course):
    _, token = create_link(course, editor)
    html = Client().get(f"/share/{token}/").content.decode()
    assert "Your progress" in html and "Leave this course" not in html
