"""Sending learning records to the LRS (queue ``default``).

``send_statements`` posts the oldest unsent statements in batches (``POST /statements``, xAPI
1.0.3, basic auth). Rows are locked while a batch is in flight (``skip_locked``), so two workers
never send the same batch; if a worker dies after the LRS stored a batch but before the rows
were marked sent, the next run sends them again with the same ids and content, and the LRS
keeps its one copy. While the LRS is down the task retries with a growing delay, and the
sweep (beat, every minute) starts one whenever statements are waiting.
"""

import json
import logging

import requests
from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import Statement
from .services import QUEUED_KEY

logger = logging.getLogger(__name__)

# Retries back off 2, 4, 8... seconds, up to this many; after them the sweep (every minute)
# starts a new send while statements wait, so a long outage holds no growing pile of tasks.
MAX_RETRIES = 6


class LRSUnavailable(Exception):
    pass


def statements_url():
    return settings.XAPI_LRS_URL.rstrip("/") + "/statements"


def _auth():
    if settings.XAPI_LRS_USERNAME:
        return (settings.XAPI_LRS_USERNAME, settings.XAPI_LRS_PASSWORD)
    return None


def post_batch(statements):
    """POST ``statements`` to the LRS; raises ``LRSUnavailable`` unless it stored (or already had) them."""
    try:
        response = requests.post(
            statements_url(),
            data=json.dumps(statements),
            headers={"Content-Type": "application/json", "X-Experience-API-Version": "1.0.3"},
            auth=_auth(),
            timeout=settings.XAPI_LRS_TIMEOUT,
        )
    except requests.RequestException as exc:
        raise LRSUnavailable(f"{exc.__class__.__name__}: {exc}") from None
    if response.status_code in (200, 204):
        return
    # 409: a statement with one of these ids and other content is there already; nothing
    # a resend can fix, so it is logged and not retried forever.
    if response.status_code == 409:
        logger.error("xAPI: the LRS holds different statements with these ids: %s", response.text[:500])
        return
    raise LRSUnavailable(f"HTTP {response.status_code}: {response.text[:300]}")


def send_batch():
    """Send one batch of the oldest unsent statements; returns how many went (0: none waiting)."""
    failure = None
    with transaction.atomic():
        rows = list(
            Statement.objects.select_for_update(skip_locked=True)
            .filter(sent_at__isnull=True)
            .order_by("created_at", "id")[: settings.XAPI_BATCH_SIZE]
        )
        if not rows:
            return 0
        ids = [row.pk for row in rows]
        try:
            post_batch([row.statement for row in rows])
        except LRSUnavailable as exc:
            failure = exc
        else:
            Statement.objects.filter(pk__in=ids).update(sent_at=timezone.now(), last_error="")
    if failure is not None:
        # Outside the transaction: the rows stay unsent, with why and how often.
        Statement.objects.filter(pk__in=ids).update(last_error=str(failure)[:2000], tries=F("tries") + 1)
        raise failure
    return len(rows)


@shared_task(bind=True, ignore_result=True, max_retries=MAX_RETRIES, acks_late=True)
def send_statements(self):
    """Send every unsent statement, batch after batch; retry later while the LRS is down."""
    if not settings.XAPI_LRS_URL:
        return 0
    # From now on a new statement asks for a send of its own (services.publish_send).
    cache.delete(QUEUED_KEY)
    sent = 0
    try:
        while batch := send_batch():
            sent += batch
    except LRSUnavailable as exc:
        if self.request.retries >= MAX_RETRIES:
            logger.warning("xAPI: the LRS is still unavailable (%s); the sweep will send later", exc)
            return sent
        delay = 2 ** (self.request.retries + 1)
        # A retry is queued: statements recorded meanwhile wait for it rather than add sends.
        cache.set(QUEUED_KEY, True, delay + 60)
        logger.warning("xAPI: the LRS did not take the statements (%s); trying again in %s s", exc, delay)
        raise self.retry(countdown=delay) from None
    return sent


@shared_task(ignore_result=True)
def sweep_statements():
    """Start a send when statements are waiting (a task lost with the broker, a long outage)."""
    if settings.XAPI_LRS_URL and Statement.objects.filter(sent_at__isnull=True).exists():
        send_statements.apply_async(queue=settings.XAPI_QUEUE)
        return True
    return False
