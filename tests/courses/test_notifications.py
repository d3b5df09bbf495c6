"""Course emails: enrollment confirmation, reminders with the clock moved, the digest, their schedules."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from accounts.services import set_preference
from courses.models import Enrollment
from courses.notifications import due_reminders, send_digest, send_reminder
from courses.services import enroll
from courses.tasks import send_enrollment_confirmation, send_instructor_digests, send_reminders
from lessons.services import set_lesson_complete
from tests.account_fixtures import make_student
from tests.factories import InstructorFactory
from tests.page_fixtures import lessons_of

pytestmark = pytest.mark.django_db

T0 = timezone.now().replace(microsecond=0) - timedelta(days=60)


def assert_bulk_headers(message):
    """RFC 8058: a List-Unsubscribe URL and the one-click POST header; HTML and text parts."""
    assert message.extra_headers["List-Unsubscribe"].startswith("<http://testserver/accounts/unsubscribe/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Unsubscribe"][1:-1] in message.body
    assert message.alternatives[0][1] == "text/html"
    assert message.extra_headers["List-Unsubscribe"][1:-1] in message.alternatives[0][0]


def idle_since(user, course, when):
    enrollment, _ = enroll(user, course)
    Enrollment.objects.filter(pk=enrollment.pk).update(enrolled_at=when, last_activity_at=when)


@pytest.fixture
def ada(course):
    user = make_student("ada@example.com", first_name="Ada")
    idle_since(user, course, T0)
    return user


def test_an_inactive_student_is_reminded_at_most_once_a_week(ada, course):
    assert ada not in due_reminders(T0 + timedelta(days=6))  # not inactive yet
    due = due_reminders(T0 + timedelta(days=7, hours=1))
    assert [e.course for e in due[ada]] == [course]
    assert send_reminder(ada, due[ada], now=T0 + timedelta(days=7, hours=1))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@example.com"]
    assert course.title in message.subject and course.title in message.body
    assert_bulk_headers(message)

    # The next hourly runs, and the rest of the week: recently reminded.
    for hours in (2, 24, 24 * 6):
        assert ada not in due_reminders(T0 + timedelta(days=7, hours=1 + hours))
    # A second send in the same week is refused even if asked for directly.
    assert not send_reminder(ada, due[ada], now=T0 + timedelta(days=8))
    # A week later, still inactive: reminded again.
    assert ada in due_reminders(T0 + timedelta(days=14, hours=2))


def test_one_reminder_covers_all_of_a_students_inactive_courses(ada, build_course):
    other = build_course("Second course", modules=1, per_module=1)
    idle_since(ada, other, T0)
    due = due_reminders(T0 + timedelta(days=8))
    assert len(due[ada]) == 2
    send_reminder(ada, due[ada], now=T0 + timedelta(days=8))
    assert len(mail.outbox) == 1 and "Second course" in mail.outbox[0].body


def test_opted_out_students_are_not_reminded(ada):
    set_preference(ada, "reminders", False)
    assert ada not in due_reminders(T0 + timedelta(days=8))


def test_completed_courses_are_not_reminded_of(ada, course):
    for lesson in lessons_of(course):
        set_lesson_complete(ada, lesson)
    Enrollment.objects.filter(user=ada).update(last_activity_at=T0)
    assert ada not in due_reminders(T0 + timedelta(days=8))


def test_students_with_an_unverified_email_are_not_reminded(course):
    unverified = make_student("bob@example.com", verified=False)
    idle_since(unverified, course, T0)
    assert unverified not in due_reminders(T0 + timedelta(days=8))


def test_recent_activity_postpones_the_reminder(ada):
    Enrollment.objects.filter(user=ada).update(last_activity_at=T0 + timedelta(days=5))
    assert ada not in due_reminders(T0 + timedelta(days=8))
    assert ada in due_reminders(T0 + timedelta(days=12, minutes=1))


def test_the_hourly_task_sends_the_due_reminders(course):
    user = make_student("carol@example.com")
    idle_since(user, course, timezone.now() - timedelta(days=10))
    assert send_reminders() == 1
    assert send_reminders() == 0
    assert [m.to for m in mail.outbox] == [["carol@example.com"]]


def test_enrollment_confirmation_is_html_and_text_with_unsubscribe_and_sent_once(course):
    user = make_student("dora@example.com", first_name="Dora")
    enrollment, _ = enroll(user, course)
    assert send_enrollment_confirmation(enrollment.pk)
    message = mail.outbox[0]
    assert message.subject == f"You are enrolled in “{course.title}”"
    assert f"http://testserver{course.url}" in message.body
    assert_bulk_headers(message)
    # A redelivered task (a worker killed after sending) sends nothing more.
    assert not send_enrollment_confirmation(enrollment.pk)
    assert len(mail.outbox) == 1
    enrollment.refresh_from_db()
    assert enrollment.confirmation_sent_at is not None and enrollment.confirmation_claimed_at is None


def test_no_confirmation_for_a_student_who_opted_out_and_none_later(course):
    user = make_student("ernest@example.com")
    set_preference(user, "enrollment", False)
    enrollment, _ = enroll(user, course)
    assert not send_enrollment_confirmation(enrollment.pk)
    assert mail.outbox == []
    # Recorded as done, so the recovery sweep does not try again.
    enrollment.refresh_from_db()
    assert enrollment.confirmation_sent_at is not None


def test_instructors_get_a_weekly_digest_of_enrollments_and_completions(course, build_course):
    teacher = make_student("teacher@example.com")
    instructor = InstructorFactory(name="Grace Hopper", user=teacher)
    course.instructors.add(instructor)
    course.save_revision().publish()
    quiet = build_course("Quiet course", modules=1, per_module=1)
    quiet.instructors.add(instructor)
    quiet.save_revision().publish()
    now = timezone.now()
    for number in range(3):
        idle_since(make_student(f"s{number}@example.com"), course, now - timedelta(days=2))
    old = make_student("old@example.com")
    idle_since(old, course, now - timedelta(days=30))
    Enrollment.objects.filter(user=old).update(completed_at=now - timedelta(days=1))

    assert send_digest(instructor, now)
    message = mail.outbox[0]
    assert message.to == ["teacher@example.com"]
    assert f"{course.title}: 3 new enrollments, 1 completion" in message.body
    assert "Quiet course" not in message.body
    assert_bulk_headers(message)
    # Once a week: the weekly job run twice sends nothing more.
    assert not send_digest(instructor, now + timedelta(hours=1))
    assert send_instructor_digests() == 0
    assert len(mail.outbox) == 1


def test_the_beat_schedules_are_created_by_a_migration():
    reminders = PeriodicTask.objects.get(task="courses.tasks.send_reminders")
    assert (reminders.interval.every, reminders.interval.period) == (1, "hours") and reminders.enabled
    digest = PeriodicTask.objects.get(task="courses.tasks.send_instructor_digests")
    assert (digest.crontab.day_of_week, digest.crontab.hour, digest.crontab.minute) == ("1", "7", "0")
