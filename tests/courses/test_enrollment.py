"""Enrolling and leaving a course: idempotent, CSRF-protected, window, capacity and prerequisites."""

import pytest
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from courses.models import Enrollment
from courses.services import EnrollmentRefused, enroll, is_enrolled


def messages_of(response):
    return [str(message) for message in response.context["messages"]] if response.context else []


def post_enroll(client, course, follow=True):
    return client.post(reverse("courses:enroll", args=[course.pk]), follow=follow)


def test_enroll_button_on_the_course_page_enrolls_once_even_when_submitted_twice(client, student, course):
    client.force_login(student)
    page = client.get(course.url)
    assert reverse("courses:enroll", args=[course.pk]) in page.content.decode()

    first = post_enroll(client, course)
    second = post_enroll(client, course)

    assert Enrollment.objects.filter(user=student, course=course).count() == 1
    assert any("You are enrolled" in m for m in messages_of(first))
    assert any("already enrolled" in m for m in messages_of(second))
    assert "Leave this course" in second.content.decode()


def test_enrolling_needs_the_csrf_token(student, course):
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    response = client.post(reverse("courses:enroll", args=[course.pk]))
    assert response.status_code == 403
    assert not is_enrolled(student, course)


def test_enrolling_is_post_only(client, student, course):
    client.force_login(student)
    assert client.get(reverse("courses:enroll", args=[course.pk])).status_code == 405
    assert not is_enrolled(student, course)


def test_anonymous_enroll_goes_to_log_in_and_back_to_the_course(client, course, settings):
    response = post_enroll(client, course, follow=False)
    assert response.status_code == 302
    assert response.url.startswith(resolve_url(settings.LOGIN_URL))
    assert f"next={course.url}" in response.url.replace("%2F", "/")
    assert Enrollment.objects.count() == 0


def test_the_unique_constraint_refuses_a_second_row(student, course):
    from django.db import IntegrityError, transaction

    Enrollment.objects.create(user=student, course=course)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrollment.objects.create(user=student, course=course)


def test_enrollment_window_not_yet_open_or_closed_is_explained(client, student, course):
    client.force_login(student)
    course.enrollment_opens_at = timezone.now() + timezone.timedelta(days=3)
    course.save()
    response = post_enroll(client, course)
    assert any("Enrollment opens on" in m for m in messages_of(response))
    assert not is_enrolled(student, course)
    assert "Enrollment opens on" in response.content.decode()

    course.enrollment_opens_at = timezone.now() - timezone.timedelta(days=3)
    course.enrollment_closes_at = timezone.now() - timezone.timedelta(days=1)
    course.save()
    response = post_enroll(client, course)
    assert any("Enrollment closed on" in m for m in messages_of(response))
    assert not is_enrolled(student, course)

    course.enrollment_closes_at = timezone.now() + timezone.timedelta(days=1)
    course.save()
    post_enroll(client, course)
    assert is_enrolled(student, course)


def test_a_full_course_refuses_more_students_but_keeps_those_enrolled(client, student, other_student, course):
    course.capacity = 1
    course.save()
    enroll(other_student, course)
    client.force_login(student)
    assert "This course is full." in client.get(course.url).content.decode()
    response = post_enroll(client, course)
    assert any("This course is full." in m for m in messages_of(response))
    assert not is_enrolled(student, course)
    # Asking again as the enrolled student is still fine (idempotent, not "full").
    assert enroll(other_student, course)[1] is False


def test_prerequisites_must_be_completed_first_and_are_named(client, student, build_course):
    basics = build_course("Basics", modules=1, per_module=1)
    styling = build_course("Styling", modules=1, per_module=1)
    advanced = build_course("Advanced", modules=1, per_module=1)
    advanced.prerequisites.set([basics, styling])
    advanced.save_revision().publish()
    client.force_login(student)

    page = client.get(advanced.url).content.decode()
    assert "To enroll, first complete" in page
    response = post_enroll(client, advanced)
    message = " ".join(messages_of(response))
    assert "“Basics”" in message and "“Styling”" in message
    assert not is_enrolled(student, advanced)

    # Being enrolled is not enough: the course must be completed.
    enroll(student, basics)
    Enrollment.objects.filter(user=student, course=styling).delete()
    enroll(student, styling)
    Enrollment.objects.filter(user=student, course=styling).update(completed_at=timezone.now())
    with pytest.raises(EnrollmentRefused, match="“Basics”") as refusal:
        enroll(student, advanced)
    assert "Styling" not in str(refusal.value)

    Enrollment.objects.filter(user=student, course=basics).update(completed_at=timezone.now())
    post_enroll(client, advanced)
    assert is_enrolled(student, advanced)


def test_unenroll_removes_the_enrollment_but_not_a_completed_course(client, enrolled, course):
    client.force_login(enrolled)
    response = client.post(reverse("courses:unenroll", args=[course.pk]), follow=True)
    assert any("You have left" in m for m in messages_of(response))
    assert not is_enrolled(enrolled, course)

    enroll(enrolled, course)
    Enrollment.objects.filter(user=enrolled).update(completed_at=timezone.now())
    response = client.post(reverse("courses:unenroll", args=[course.pk]), follow=True)
    assert any("stays on your record" in m for m in messages_of(response))
    assert is_enrolled(enrolled, course)


def test_enrolling_in_an_unpublished_course_is_a_404(client, student, course):
    course.unpublish()
    client.force_login(student)
    assert post_enroll(client, course, follow=False).status_code == 404
    assert not is_enrolled(student, course)


def test_an_enrollment_window_that_closes_before_it_opens_is_refused(course):
    from django.core.exceptions import ValidationError

    course.enrollment_opens_at = timezone.now()
    course.enrollment_closes_at = course.enrollment_opens_at - timezone.timedelta(hours=1)
    with pytest.raises(ValidationError, match="Enrollment must close after it opens"):
        course.full_clean()
