"""Recovery sweeps: a completion without a finished certificate, an enrollment without its
confirmation and a certificate without its email are found after the grace period, enqueued
once (bounded per run), and finished by the same idempotent tasks.

These tests run in a test transaction, where the domain signals' on-commit listeners never
run: exactly the "event recorded, task never enqueued" gap the sweeps exist for.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from courses import tasks
from courses.models import Certificate, Enrollment
from courses.recovery import recover
from courses.services import enroll
from lessons.services import set_lesson_complete
from outbox.models import Message
from tests.factories import UserFactory
from tests.page_fixtures import lessons_of

pytestmark = pytest.mark.django_db
NONE = {"certificates": 0, "certificate_emails": 0, "confirmations": 0}


@pytest.fixture(autouse=True)
def sweep_settings(settings):
    settings.RECOVERY_GRACE = 300
    settings.RECOVERY_WINDOW_DAYS = 7
    settings.RECOVERY_BATCH = 100


def ago(**delta):
    return timezone.now() - timedelta(**delta)


def graduate(course, email, completed_at):
    user = UserFactory(email=email)
    enroll(user, course)
    for lesson in lessons_of(course):
        set_lesson_complete(user, lesson)
    Enrollment.objects.filter(user=user, course=course).update(
        completed_at=completed_at, enrolled_at=completed_at, confirmation_sent_at=completed_at
    )
    return user


def run_enqueued():
    """Run every enqueued call here, as a worker would (the tasks are the same)."""
    for message in Message.objects.filter(sent_at__isnull=True).order_by("pk"):
        getattr(tasks, message.task.rsplit(".", 1)[1])(*message.args, **message.kwargs)
        Message.objects.filter(pk=message.pk).update(sent_at=timezone.now())


@pytest.fixture
def one_lesson_course(build_course):
    return build_course("Recovered course", modules=1, per_module=1)


def test_a_lost_certificate_is_issued_and_emailed_once_after_the_grace_period(one_lesson_course):
    user = graduate(one_lesson_course, "lost@example.com", completed_at=ago(minutes=10))
    graduate(one_lesson_course, "recent@example.com", completed_at=ago(minutes=1))  # its task has time
    graduate(one_lesson_course, "old@example.com", completed_at=ago(days=8))  # issue_certificates' job

    assert recover(timezone.now()) == {**NONE, "certificates": 1}
    assert list(Message.objects.values_list("task", "args")) == [
        ("courses.tasks.issue_certificate", [user.pk, one_lesson_course.pk])
    ]
    # A second run while that task waits in the outbox or the broker does not double it.
    assert recover(timezone.now()) == NONE

    run_enqueued()
    certificate = Certificate.objects.get(user=user)
    assert certificate.file and certificate.emailed_at
    assert [m.to for m in mail.outbox] == [["lost@example.com"]]
    # Finished: later runs find nothing, even after the grace period.
    Message.objects.update(created_at=ago(hours=1))
    assert recover(timezone.now()) == NONE


def test_a_certificate_whose_email_failed_is_emailed_by_the_sweep(one_lesson_course):
    user = graduate(one_lesson_course, "unmailed@example.com", completed_at=ago(minutes=20))
    code = tasks.issue_certificate(user.pk, one_lesson_course.pk)
    # As after the retries ran out while the mail server was down: stored, never emailed.
    Certificate.objects.filter(code=code).update(emailed_at=None, issued_at=ago(minutes=20))
    mail.outbox.clear()

    assert recover(timezone.now()) == {**NONE, "certificates": 1}
    run_enqueued()
    assert Certificate.objects.get(code=code).emailed_at is not None
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["unmailed@example.com"]


def test_an_enrollment_whose_confirmation_was_lost_is_confirmed_once(one_lesson_course):
    lost = UserFactory(email="unconfirmed@example.com")
    enrollment, _ = enroll(lost, one_lesson_course)
    Enrollment.objects.filter(pk=enrollment.pk).update(enrolled_at=ago(minutes=6))
    just_now, _ = enroll(UserFactory(email="justnow@example.com"), one_lesson_course)

    assert recover(timezone.now()) == {**NONE, "confirmations": 1}
    assert Message.objects.get().args == [enrollment.pk]
    run_enqueued()
    assert [m.to for m in mail.outbox] == [["unconfirmed@example.com"]]
    enrollment.refresh_from_db()
    assert enrollment.confirmation_sent_at is not None
    Message.objects.update(created_at=ago(hours=1))
    assert recover(timezone.now()) == NONE
    just_now.refresh_from_db()
    assert just_now.confirmation_sent_at is None  # still within its own task's grace period


def test_each_sweep_is_bounded_per_run_and_the_next_run_goes_on(one_lesson_course, settings):
    settings.RECOVERY_BATCH = 2
    users = [
        graduate(one_lesson_course, f"batch{n}@example.com", completed_at=ago(minutes=30 - n))
        for n in range(3)
    ]

    assert recover(timezone.now())["certificates"] == 2
    assert recover(timezone.now())["certificates"] == 1  # the third, oldest first
    enqueued = [args[0] for args in Message.objects.order_by("pk").values_list("args", flat=True)]
    assert enqueued == [user.pk for user in users]


def test_the_sweep_runs_from_beat_as_a_task(one_lesson_course):
    graduate(one_lesson_course, "beat@example.com", completed_at=ago(minutes=10))
    assert tasks.recover_lost_work() == {**NONE, "certificates": 1}
