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
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.services import (
    absolute_url,
    display_name,
    has_verified_email,
    language_preference,
    send_notification,
    wants_email,
)
from outbox.services import Claim, claim, finish, release
from pagetree.services import in_language

from .models import Enrollment, Instructor, InstructorDigest, StudentReminder

# A student who has not been back for this long is inactive…
INACTIVE_AFTER = timedelta(days=7)
# …and is reminded at most this often, whatever the number of courses.
REMIND_EVERY = timedelta(days=7)
DIGEST_PERIOD = timedelta(days=7)


def send_enrollment_confirmation(enrollment):
    """Confirm an enrollment by email, once (unless the student opted out). Returns whether this call sent it.

    Claimed, sent, then recorded in ``confirmation_sent_at``, with no lock held across the mail
    server (as ``certificates.email_certificate``); a failure releases the claim and raises.
    """
    rows = Enrollment.objects.filter(pk=enrollment.pk)
    if claim(rows, done="confirmation_sent_at", claimed="confirmation_claimed_at") is not Claim.CLAIMED:
        return False
    # The course as the student reads it: in their account's language when it is translated.
    language = language_preference(enrollment.user) or enrollment.course.locale.language_code
    course = in_language(enrollment.course, language)
    try:
        sent = send_notification(
            enrollment.user,
            "enrollment",
            format_lazy(_("You are enrolled in “{title}”"), title=course.title),
            "courses/email/enrollment",
            {
                "course": course,
                "course_url": absolute_url(course.url or "/"),
                "name": display_name(enrollment.user),
            },
            language=course.locale.language_code,
        )
    except BaseException:
        release(rows, claimed="confirmation_claimed_at")
        raise
    finish(rows, done="confirmation_sent_at", claimed="confirmation_claimed_at")
    return sent


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

    The week's reminder is claimed first (one conditional UPDATE of the student's record,
    committed at once), then sent with no lock held across the mail server, so overlapping
    runs send one reminder. A send that fails, or finds the student opted out, gives the
    claim back and the next run tries again; a worker killed mid-send skips that week's
    reminder rather than risk a second one.
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            StudentReminder.objects.get_or_create(
                user=user, defaults={"last_sent_at": now - REMIND_EVERY - timedelta(seconds=1)}
            )
    except IntegrityError:
        pass  # an overlapping run made it
    record = StudentReminder.objects.filter(user=user)
    previous = record.values_list("last_sent_at", flat=True).first()
    if previous is None or previous > now - REMIND_EVERY:
        return False
    if not record.filter(last_sent_at=previous).update(last_sent_at=now):
        return False  # an overlapping run claimed it
    # Each course as the student reads it: in their account's language when it is translated.
    language = language_preference(user)
    shown = [in_language(enrollment.course, language) for enrollment in enrollments]
    courses = [{"title": course.title, "url": absolute_url(course.url or "/")} for course in shown]
    sent = False
    try:
        sent = send_notification(
            user,
            "reminders",
            _("Your courses are waiting for you")
            if len(courses) > 1
            else format_lazy(_("“{title}” is waiting for you"), title=courses[0]["title"]),
            "courses/email/reminder",
            {"courses": courses, "name": display_name(user), "dashboard_url": absolute_url("/dashboard/")},
            language=shown[0].locale.language_code,
        )
    finally:
        if not sent:
            record.filter(last_sent_at=now).update(last_sent_at=previous)
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
    """Send ``instructor``'s weekly digest once per week, if anything happened. Returns whether sent.

    The week's row is written first (committed at once; the unique constraint lets one run
    have it), then the digest sent with no lock held across the mail server; a send that fails
    or is not wanted deletes the row again, so the next run tries again.
    """
    now = now or timezone.now()
    user = instructor.user
    if user is None or not user.is_active:
        return False
    rows = digest_for(instructor, now)
    if not rows:
        return False
    try:
        with transaction.atomic():
            record = InstructorDigest.objects.create(user=user, week=week_of(now), sent_at=now)
    except IntegrityError:
        return False  # this week's digest went out already
    sent = False
    try:
        sent = send_notification(
            user,
            "digest",
            _("Your courses this week"),
            "courses/email/digest",
            {"rows": rows, "name": instructor.name, "since": now - DIGEST_PERIOD, "now": now},
        )
    finally:
        if not sent:
            record.delete()
    return sent


def instructors_with_accounts():
    return Instructor.objects.filter(user__isnull=False, user__is_active=True).select_related("user")


def user_by_id(user_id):
    return get_user_model().objects.filter(pk=user_id).first()
