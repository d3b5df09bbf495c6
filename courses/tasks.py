"""Celery tasks of the courses app: scheduled publishing, certificates, course emails, recovery.

Each is idempotent. The certificate and the confirmation are started through the outbox
(``courses/signal_handlers.py``) and acknowledged when they finish, so a killed worker's task
runs again (Redis redelivers it after ``CELERY_VISIBILITY_TIMEOUT``). Transient mail-server
errors (unreachable, ``EMAIL_TIMEOUT`` passed, 4xx) are retried with a back-off; after the
last retry the recovery sweep (``recover_lost_work``, every minute) starts them again later.
The periodic tasks are acknowledged when they start: a run lost with its worker is the next
run's work.
"""

import io
import logging

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from accounts.services import retry_if_transient

from . import certificates, notifications, recovery
from .models import CoursePage, Enrollment

logger = logging.getLogger(__name__)
# Periodic tasks: acknowledged on start, with limits of their own (a long run is no redelivery risk).
PERIODIC = {"acks_late": False, "soft_time_limit": 300, "time_limit": 360}
# The reminders and the digest: a failed batch is tried again soon (each email is sent once:
# courses/notifications.py), waiting no longer than the visibility timeout allows.
RETRY = {
    "autoretry_for": (OSError,),
    "retry_backoff": 30,
    "retry_backoff_max": settings.TASK_RETRY_BACKOFF_MAX,
    "max_retries": 6,
}
EMAIL_RETRIES = 6


LOCK = "courses:publish-scheduled"


@shared_task(ignore_result=True, **PERIODIC)
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


@shared_task(bind=True, max_retries=EMAIL_RETRIES)
def issue_certificate(self, user_id, course_id):
    """Issue, store and email the certificate of a completed course; its code (None if not completed)."""
    user = notifications.user_by_id(user_id)
    course = CoursePage.objects.filter(pk=course_id).first()
    if user is None or course is None:
        return None
    # An existing certificate is finished (stored, emailed) even if its enrollment has gone since.
    certificate = (
        certificates.certificate_for(user, course) or certificates.issue_certificate(user, course)[0]
    )
    if certificate is None:
        return None
    try:
        certificates.store_pdf(certificate)
        certificates.email_certificate(certificate)
    except Exception as error:
        retry_if_transient(self, error)
    return certificate.code


@shared_task(bind=True, max_retries=EMAIL_RETRIES)
def send_enrollment_confirmation(self, enrollment_id):
    """Email an enrollment's confirmation, once; whether this run sent it."""
    enrollment = Enrollment.objects.select_related("user", "course").filter(pk=enrollment_id).first()
    if enrollment is None:
        return False  # left again before the worker got to it
    try:
        return notifications.send_enrollment_confirmation(enrollment)
    except Exception as error:
        retry_if_transient(self, error)


@shared_task(**RETRY, **PERIODIC)
def send_reminders():
    """Hourly (beat): remind each inactive student, at most once a week. Returns how many were sent."""
    now = timezone.now()
    sent = 0
    for user, enrollments in notifications.due_reminders(now).items():
        sent += notifications.send_reminder(user, enrollments, now)
    logger.info("Sent %d course reminder(s)", sent)
    return sent


@shared_task(**RETRY, **PERIODIC)
def send_instructor_digests():
    """Weekly (beat): each instructor with an account gets last week's enrollments and completions."""
    now = timezone.now()
    sent = sum(
        notifications.send_digest(instructor, now) for instructor in notifications.instructors_with_accounts()
    )
    logger.info("Sent %d instructor digest(s)", sent)
    return sent


@shared_task(**PERIODIC)
def recover_lost_work():
    """Every minute (beat): finish what an event's own task did not (``courses/recovery.py``).

    Returns how many tasks each sweep enqueued (idempotent, at most ``RECOVERY_BATCH`` each).
    """
    found = recovery.recover(timezone.now())
    if any(found.values()):
        logger.warning("Recovery sweep enqueued again: %s", found)
    return found
