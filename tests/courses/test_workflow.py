"""The "Course review" workflow: an instructor submits, an editor approves or rejects with a comment."""

import pytest
from django.core import mail
from wagtail.models import Workflow

from courses.models import CoursePage
from tests.factories import CoursePageFactory, UserFactory
from tests.user_fixtures import make_instructor, teach


@pytest.fixture
def submitted(client, catalogue, editor):
    user, teacher = make_instructor("alice")
    course = teach(CoursePageFactory(parent=catalogue, title="Under review", live=False), teacher)
    revision = course.save_revision(user=user)
    mail.outbox.clear()
    client.force_login(user)
    workflow = course.get_workflow()
    assert workflow.name == "Course review"
    workflow.start(course, user)
    return user, course, revision


def act(client, editor, course, action, comment=""):
    state = course.current_workflow_task_state
    client.force_login(editor)
    return client.post(f"/admin/pages/workflow/action/{course.pk}/{action}/{state.pk}/", {"comment": comment})


def test_the_catalogue_is_reviewed_by_the_course_review_workflow(catalogue):
    workflow = Workflow.objects.get(name="Course review")
    assert catalogue.get_workflow() == workflow
    task = workflow.tasks.get().specific
    assert list(task.groups.values_list("name", flat=True)) == ["Editors"]


def test_submitting_emails_the_editors(submitted, editor):
    assert [message.to for message in mail.outbox] == [[editor.email]]
    assert "Under review" in mail.outbox[0].subject


def test_an_editor_approves_and_the_course_is_published_and_the_instructor_told(client, submitted, editor):
    user, course, _ = submitted
    mail.outbox.clear()
    response = act(client, editor, course, "approve", "Looks good")
    assert response.status_code == 302
    course = CoursePage.objects.get(pk=course.pk)
    assert course.live
    assert course.workflow_states.get().status == "approved"
    assert user.email in [address for message in mail.outbox for address in message.to]


def test_an_editor_rejects_with_a_comment_and_the_instructor_reads_it(client, submitted, editor):
    user, course, _ = submitted
    mail.outbox.clear()
    response = act(client, editor, course, "reject", "Add a summary of each module.")
    assert response.status_code == 302
    course = CoursePage.objects.get(pk=course.pk)
    assert not course.live
    state = course.workflow_states.get()
    assert state.status == "needs_changes"
    messages = [message for message in mail.outbox if user.email in message.to]
    assert messages and "Add a summary of each module." in messages[0].body


def test_an_instructor_cannot_approve_their_own_course(client, submitted):
    user, course, _ = submitted
    act(client, user, course, "approve")
    assert not CoursePage.objects.get(pk=course.pk).live


def test_someone_outside_editors_cannot_approve(client, submitted):
    _, course, _ = submitted
    outsider = UserFactory(username="outsider", is_staff=True)
    act(client, outsider, course, "approve")
    assert not CoursePage.objects.get(pk=course.pk).live
