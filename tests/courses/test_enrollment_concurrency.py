"""Two requests at the same moment on PostgreSQL: one enrollment, and capacity holds."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from courses.models import Enrollment
from courses.services import enroll
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def at_once(*calls):
    """Run each call in its own thread (own DB connection), released together by a barrier."""
    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), []

    def run(index, call):
        try:
            # Connect first, so that the calls start together rather than one connection apart.
            connection.ensure_connection()
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as error:  # surfaced in the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    return results


def logged_in_client(user):
    client = Client()
    client.force_login(user)
    return client


def test_two_concurrent_enroll_requests_make_one_enrollment(build_course):
    assert connection.vendor == "postgresql"
    course = build_course("Concurrency", modules=1, per_module=1)
    student = UserFactory(username="racer")
    url = reverse("courses:enroll", args=[course.pk])
    clients = [logged_in_client(student) for _ in range(4)]

    responses = at_once(*[lambda c=c: c.post(url) for c in clients])

    assert [r.status_code for r in responses] == [302] * 4
    assert Enrollment.objects.filter(user=student, course=course).count() == 1


def test_concurrent_enrollments_never_exceed_capacity(build_course):
    course = build_course("Small class", modules=1, per_module=1, capacity=2)
    students = [UserFactory(username=f"racer{i}") for i in range(8)]

    def attempt(user):
        try:
            return enroll(user, course)[1]
        except Exception as error:
            return str(error)

    results = at_once(*[lambda u=u: attempt(u) for u in students])

    assert results.count(True) == 2
    assert results.count("This course is full.") == 6
    assert Enrollment.objects.filter(course=course).count() == 2
