"""Course emails: enrollment confirmation, reminders to inactive students, the instructors' weekly digest.

Who is due what is decided here, with the time passed in (``now``), so the rules can be
checked with the clock moved. Sending goes through ``accounts.services.send_notification``
(HTML and text, the opt-out per kind, the RFC 8058 unsubscribe headers).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.services import absolute_url, display_name, has_verified_email, send_notification, wants_email

from .models import Enrollment, Instructor, InstructorDigest, StudentReminder

# A student who has not been back for this long is inactive…
INACTIVE_AFTER = timedelta(days=7)
# …and is reminded at most this often, whatever the number of courses.
REMIND_EVERY = timedelta(days=7)
DIGEST_PERIOD = timedelta(days=7)


def send_enrollment_confirmation(enrollment):
    """Confirm an enrollment by email (unless the student opted out). Returns whether it was sent."""
    course = enrollment.course
    return send_notification(
        enrollment.user,
        "enrollment",
        f"You are enrolled in “{course.title}”",
        "courses/email/enrollment",
        {
            "course": course,
            "course_url": absolute_url(course.url or "/"),
            "name": display_name(enrollment.user),
        },
    )


def due_reminders(now=None):
    """``{user: [enrollments]}`` of the students to remind at ``now``.

    A student is due when they have an uncompleted enrollment in a live course with no
    activity for INACTIVE_AFTER, a verified email address, reminders not turned off, and
    no reminder in the last REMIND_EVERY.
    """
    now = now or timezone.now()
    enrollments = (
        Enrollment.objects.filter(
            completed_at__isnull=True,
            course__live=True,
            last_activity_at__lte=now - INACTIVE_AFTER,
            user__is_active=True,
        )
        .exclude(user__course_reminder__last_sent_at__gt=now - REMIND_EVERY)
        .select_related("user", "course")
        .order_by("user_id", "last_activity_at")
    )
    due = {}
    for enrollment in enrollments:
        due.setdefault(enrollment.user, []).append(enrollment)
    return {
        user: items
        for user, items in due.items()
        if has_verified_email(user) and wants_email(user, "reminders")
    }


def send_reminder(user, enrollments, now=None):
    """Send one reminder about ``enrollments`` unless one went out within REMIND_EVERY; returns whether sent.

    The student's reminder row is locked while deciding and sending, so overlapping runs
    send one reminder; a failed send rolls the record back and the next run retries.
    """
    now = now or timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                record, _ = StudentReminder.objects.select_for_update().get_or_create(
                    user=user, defaults={"last_sent_at": now - REMIND_EVERY - timedelta(seconds=1)}
                )
        except IntegrityError:
            record = StudentReminder.objects.select_for_update().get(user=user)
        if record.last_sent_at > now - REMIND_EVERY:
            return False
        courses = [
            {"title": enrollment.course.title, "url": absolute_url(enrollment.course.url or "/")}
            for enrollment in enrollments
        ]
        sent = send_notification(
            user,
            "reminders",
            "Your courses are waiting for you"
            if len(courses) > 1
            else f"“{courses[0]['title']}” is waiting for you",
            "courses/email/reminder",
            {"courses": courses, "name": display_name(user), "dashboard_url": absolute_url("/dashboard/")},
        )
        if sent:
            record.last_sent_at = now
            record.save(update_fields=["last_sent_at"])
    return sent


@dataclass
class CourseDigest:
    course: object
    new_enrollments: int
    completions: int


def digest_for(instructor, now=None):
    """The instructor's courses with new enrollments or completions in the last week, and how many."""
    now = now or timezone.now()
    since = now - DIGEST_PERIOD
    rows = []
    for course in instructor.courses.order_by("title"):
        new = Enrollment.objects.filter(course=course, enrolled_at__gt=since, enrolled_at__lte=now).count()
        done = Enrollment.objects.filter(course=course, completed_at__gt=since, completed_at__lte=now).count()
        if new or done:
            rows.append(CourseDigest(course=course, new_enrollments=new, completions=done))
    return rows


def week_of(now):
    """The Monday of ``now``'s week (in the site's time zone): one digest per week."""
    local = timezone.localtime(now).date()
    return local - timedelta(days=local.weekday())


def send_digest(instructor, now=None):
    """Send ``instructor``'s weekly digest once per week, if anything happened. Returns whether sent."""
    now = now or timezone.now()
    user = instructor.user
    if user is None or not user.is_active:
        return False
    rows = digest_for(instructor, now)
    if not rows:
        return False
    with transaction.atomic():
        try:
            with transaction.atomic():
                InstructorDigest.objects.create(user=user, week=week_of(now), sent_at=now)
        except IntegrityError:
            return False  # this week's digest went out already
        sent = send_notification(
            user,
            "digest",
            "Your courses this week",
            "courses/email/digest",
            {"rows": rows, "name": instructor.name, "since": now - DIGEST_PERIOD, "now": now},
        )
        if not sent:
            transaction.set_rollback(True)
    return sent


def instructors_with_accounts():
    return Instructor.objects.filter(user__isnull=False, user__is_active=True).select_related("user")


def user_by_id(user_id):
    return get_user_model().objects.filter(pk=user_id).first()
