"""The admin dashboard: my courses with their moderation state, the media queue, enrollments this week."""

from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from courses.services import enroll
from media_library.models import Media
from tests.factories import CoursePageFactory, LessonPageFactory, UserFactory
from tests.page_fixtures import make_media
from tests.user_fixtures import make_instructor, teach


def test_an_instructor_sees_their_courses_with_moderation_state_and_this_weeks_enrollments(client, catalogue):
    user_a, teacher_a = make_instructor("alice")
    _, teacher_b = make_instructor("bob")
    mine = teach(CoursePageFactory(parent=catalogue, title="Mine"), teacher_a)
    LessonPageFactory(parent=mine)  # a course is open for enrollment once it has a lesson
    in_review = teach(CoursePageFactory(parent=catalogue, title="Mine in review"), teacher_a)
    teach(CoursePageFactory(parent=catalogue, title="Bob's"), teacher_b)
    in_review.save_revision(user=user_a)
    in_review.get_workflow().start(in_review, user_a)
    with time_machine.travel(timezone.now() - timedelta(days=10)):
        enroll(UserFactory(username="early"), mine)
    for n in range(2):
        enroll(UserFactory(username=f"s{n}"), mine)

    client.force_login(user_a)
    html = client.get("/admin/").content.decode()
    assert "My courses" in html and "Mine in review" in html and "Bob&#x27;s" not in html
    assert "In review: Editors approve the course" in html
    assert "Enrollments this week" in html
    assert '<strong class="enrollments-week__total">2</strong>' in html


def test_the_media_queue_counts_and_links_the_items_the_user_may_work_on(client, editor, catalogue):
    queued = make_media("Waiting clip")
    processing = make_media("Busy clip")
    failed = make_media("Broken clip")
    Media.objects.filter(pk=queued.pk).update(status="pending")
    Media.objects.filter(pk=processing.pk).update(status="processing", progress=40)
    Media.objects.filter(pk=failed.pk).update(status="failed")
    client.force_login(editor)
    html = client.get("/admin/").content.decode()
    assert "Media processing queue" in html
    for label in ("Queued: 1", "Processing: 1", "Failed: 1"):
        assert label in html
    assert f"/admin/media/edit/{failed.pk}/" in html and "Busy clip</a> (40%)" in html


def test_an_instructor_without_a_course_is_offered_to_create_the_first_one(client, db):
    user, _ = make_instructor("nadia")
    client.force_login(user)
    html = client.get("/admin/").content.decode()
    assert "My courses" in html and "You have no course yet." in html
    assert f'<a class="button" href="{reverse("course_start")}">Create your first course</a>' in html
