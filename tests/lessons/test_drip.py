"""Drip release: a lesson opens N days after the student's enrollment, everywhere the gate applies."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from courses.services import enroll
from media_library import services as media_services
from tests.page_fixtures import lessons_of, make_media, video_lesson


@pytest.fixture
def drip(course, student):
    """The course's second lesson opens 7 days after enrollment; ``student`` enrolls now."""
    lesson = lessons_of(course)[1]
    lesson.opens_after_days = 7
    lesson.save_revision().publish()
    enrollment, _ = enroll(student, course)
    return lesson, enrollment


def test_a_drip_lesson_is_closed_until_its_day_and_the_outline_says_when(client, course, student, drip):
    lesson, enrollment = drip
    opens = enrollment.enrolled_at + timedelta(days=7)
    client.force_login(student)
    response = client.get(lesson.url, follow=True)
    assert response.redirect_chain == [(course.url, 302)]
    expected = f"{timezone.localtime(opens).day} {timezone.localtime(opens):%B %Y}"
    assert [str(m) for m in response.context["messages"]] == [f"“{lesson.title}” opens on {expected}."]
    assert f"Opens on {expected}" in response.content.decode()
    assert client.get(lessons_of(course)[0].url).status_code == 200  # the others stay open

    with time_machine.travel(opens + timedelta(minutes=1)):
        assert client.get(lesson.url).status_code == 200
        assert "Opens on" not in client.get(course.url).content.decode()


def test_each_student_counts_from_their_own_enrollment(client, course, drip, other_student):
    lesson, enrollment = drip
    with time_machine.travel(enrollment.enrolled_at + timedelta(days=5)):
        enroll(other_student, course)
    client.force_login(other_student)
    with time_machine.travel(enrollment.enrolled_at + timedelta(days=8)):
        # Seven days for the first student, three for this one.
        assert client.get(lesson.url).status_code == 302
    with time_machine.travel(enrollment.enrolled_at + timedelta(days=12, minutes=1)):
        assert client.get(lesson.url).status_code == 200


def test_the_api_withholds_a_drip_lessons_body_until_it_opens(client, student, drip):
    lesson, enrollment = drip
    client.force_login(student)
    detail = client.get(f"/api/lessons/{lesson.pk}/").json()
    assert detail["body"] is None and detail["opens_after_days"] == 7
    with time_machine.travel(enrollment.enrolled_at + timedelta(days=7, seconds=1)):
        assert client.get(f"/api/lessons/{lesson.pk}/").json()["body"] is not None


def test_media_in_a_drip_lesson_plays_only_once_it_opens(course, student):
    media = make_media("Dripped clip")
    lesson = video_lesson(course, media, title="Dripped video", opens_after_days=3)
    enrollment, _ = enroll(student, course)
    assert lesson.opens_after_days == 3
    assert not media_services.can_access(student, media)
    with time_machine.travel(enrollment.enrolled_at + timedelta(days=3, seconds=1)):
        assert media_services.can_access(student, media)


def test_staff_and_free_previews_ignore_drip_release(client, course, editor, drip):
    lesson, _ = drip
    client.force_login(editor)
    assert client.get(lesson.url).status_code == 200
    lesson.free_preview = True
    lesson.save_revision().publish()
    client.logout()
    assert client.get(lesson.url).status_code == 200
