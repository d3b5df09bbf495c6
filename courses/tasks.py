"""Celery tasks of the courses app: scheduled publishing, certificates and course emails.

Each is idempotent.

Errors talking to the mail server or the storage (``OSError``, which covers
``smtplib.SMTPException``) are retried with a back-off; what was done already is not redone.
"""

import io
import logging

from celery import shared_task
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from . import certificates, notifications
from .models import CoursePage, Enrollment

logger = logging.getLogger(__name__)
RETRY = {"autoretry_for": (OSError,), "retry_backoff": 30, "max_retries": 6}

LOCK = "courses:publish-scheduled"


@shared_task(ignore_result=True)
def publish_scheduled():
    """Run Wagtail's scheduled publishing (``manage.py publish_scheduled``): publish every
    revision whose go-live time has passed and unpublish what has expired. Idempotent: a late
    run catches up with everything overdue, and overlapping runs are skipped by a lock."""
    if not cache.add(LOCK, 1, timeout=300):
        return "skipped: another run is publishing"
    try:
        out = io.StringIO()
        call_command("publish_scheduled", stdout=out)
        return out.getvalue()
    finally:
        cache.delete(LOCK)


@shared_task(**RETRY)
def issue_certificate(user_id, course_id):
    """Issue, store and email the certificate of a completed course; its code (None if not completed)."""
    user = notifications.user_by_id(user_id)
    course = CoursePage.objects.filter(pk=course_id).first()
    if user is None or course is None:
        return None
    certificate, _ = certificates.issue_certificate(user, course)
    if certificate is None:
        return None
    certificates.store_pdf(certificate)
    certificates.email_certificate(certificate)
    return certificate.code


@shared_task(**RETRY)
def send_enrollment_confirmation(enrollment_id):
    enrollment = Enrollment.objects.select_related("user", "course").filter(pk=enrollment_id).first()
    if enrollment is None:
        return False  # left again before the worker got to it
    return notifications.send_enrollment_confirmation(enrollment)


@shared_task(**RETRY)
def send_reminders():
    """Hourly (beat): remind each inactive student, at most once a week. Returns how many were sent."""
    now = timezone.now()
    sent = 0
    for user, enrollments in notifications.due_reminders(now).items():
        sent += notifications.send_reminder(user, enrollments, now)
    logger.info("Sent %d course reminder(s)", sent)
    return sent


@shared_task(**RETRY)
def send_instructor_digests():
    """Weekly (beat): each instructor with an account gets last week's enrollments and completions."""
    now = timezone.now()
    sent = sum(
        notifications.send_digest(instructor, now) for instructor in notifications.instructors_with_accounts()
    )
    logger.info("Sent %d instructor digest(s)", sent)
    return sent
