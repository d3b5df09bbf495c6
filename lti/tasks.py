"""Celery tasks of the lti app: grade passback and roster sync. Each is idempotent.

``post_grade`` posts one GradePost (never twice: see ``grades.deliver``), retrying with a back-off
while the platform is unreachable or failing; ``retry_pending_grades`` (beat) starts again any
post still pending, whose message may have been lost with the broker, so none is lost.
"""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from outbox.services import enqueue

from . import grades, nrps
from .models import Context, GradePost, UsedNonce
from .services_client import ServiceError

logger = logging.getLogger(__name__)


@shared_task(bind=True, ignore_result=True, max_retries=8)
def post_grade(self, grade_post_id):
    """Post GradePost ``grade_post_id`` to its platform's gradebook."""
    try:
        return grades.deliver(grade_post_id)
    except ServiceError as error:
        if not error.retryable:
            return f"failed: {error}"
        raise self.retry(exc=error, countdown=min(30 * 2**self.request.retries, 3600)) from error


def stuck_grade_posts():
    """Posts pending longer than ``LTI_GRADE_STUCK_AFTER`` seconds (at most 20 tries each)."""
    since = timezone.now() - timedelta(seconds=settings.LTI_GRADE_STUCK_AFTER)
    return GradePost.objects.filter(status=GradePost.Status.PENDING, created_at__lte=since, tries__lt=20)


@shared_task(ignore_result=True)
def retry_pending_grades():
    """Start ``post_grade`` again for every stuck post (``stuck_grade_posts``)."""
    ids = list(stuck_grade_posts().values_list("pk", flat=True)[:500])
    for pk in ids:
        enqueue(post_grade, pk)
    return len(ids)


@shared_task(bind=True, ignore_result=True, max_retries=3)
def sync_roster(self, context_id):
    """Sync one context's roster from the platform (NRPS)."""
    context = Context.objects.select_related("deployment__platform").filter(pk=context_id).first()
    if context is None:
        return "gone"
    try:
        return nrps.sync_roster(context)
    except ServiceError as error:
        if error.retryable:
            raise self.retry(exc=error, countdown=60) from error
        Context.objects.filter(pk=context_id).update(last_roster_summary=f"Failed: {error}"[:255])
        return f"failed: {error}"


@shared_task(ignore_result=True)
def purge_used_nonces():
    """Forget nonces of tokens that have expired: such a token is refused by its ``exp`` anyway."""
    deleted, _ = UsedNonce.objects.filter(expires_at__lt=timezone.now()).delete()
    return deleted
