"""A lesson's documents follow the lesson's rule, and fail closed (issue 11, item 4)."""

import pytest

from courses.services import enroll
from tests.factories import LessonPageFactory, UserFactory
from tests.page_fixtures import document_block, lessons_of, make_document


def lesson_with(parent, document, *, live=True, **fields):
    lesson = LessonPageFactory(parent=parent, live=live, body=[document_block(document)], **fields)
    lesson.refresh_from_db()
    return lesson


@pytest.fixture
def staff(db):
    return UserFactory(username="staff", is_staff=True)


def status(client, document, user=None):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(document.url).status_code


def test_a_document_used_only_in_a_never_published_lesson_is_private(client, course, staff):
    handout = make_document("draft-handout")
    lesson_with(course, handout, live=False, title="Not yet written")
    assert status(client, handout) == 403
    assert status(client, handout, UserFactory(username="curious")) == 403
    assert status(client, handout, staff) == 200


def test_unpublishing_a_gated_lesson_keeps_its_document_private(client, course, student):
    handout = make_document("gated-handout")
    lesson = lesson_with(course, handout, title="Gated with a handout")
    enroll(student, course)
    assert status(client, handout) == 403
    assert status(client, handout, student) == 200

    lesson.unpublish()
    assert status(client, handout) == 403
    assert status(client, handout, student) == 403


def test_a_document_in_a_free_preview_is_public_and_one_in_no_lesson_is_served_as_wagtail_does(
    client, course
):
    teaser = make_document("teaser")
    lesson_with(course, teaser, title="Free taste", free_preview=True)
    loose = make_document("site-wide-policy")
    assert status(client, teaser) == 200
    assert status(client, loose) == 200


def test_a_document_in_a_gated_and_a_draft_lesson_follows_the_published_one(client, course, student):
    shared = make_document("shared")
    lesson_with(course, shared, title="Published, gated")
    lesson_with(lessons_of(course)[0].get_parent(), shared, live=False, title="Draft")
    assert status(client, shared) == 403
    enroll(student, course)
    assert status(client, shared, student) == 200


def test_gated_lessons_and_documents_are_marked_private_for_caches(client, course, student):
    handout = make_document("private-handout")
    lesson = lesson_with(course, handout, title="Members only, with a handout")
    enroll(student, course)
    client.force_login(student)
    page = client.get(lesson.url)
    assert page.status_code == 200 and "private" in page["Cache-Control"]
    download = client.get(handout.url)
    assert download.status_code == 200 and "private" in download["Cache-Control"]


def test_a_document_added_only_in_a_lessons_unpublished_draft_is_private(client, course, staff):
    """The reference index holds the live lesson, not its draft: the draft is looked at too."""
    handout = make_document("draft-only-handout")
    lesson = lessons_of(course)[1].specific
    lesson.body = [document_block(handout)]
    lesson.save_revision()
    assert status(client, handout) == 403
    assert status(client, handout, UserFactory(username="curious")) == 403
    assert status(client, handout, staff) == 200
