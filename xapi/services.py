"""What other apps may ask of ``xapi``: whether learning records are sent, and to record one.

Statements are recorded only while an LRS is configured (``XAPI_LRS_URL``); without one,
nothing is written and nothing is sent. Each is written to the database first, then a
task on the default queue sends the unsent ones (``tasks.send_statements``), retrying while
the LRS is down; a beat sweep every minute catches any the broker lost. The outbox of issue
22 will take over the hand-off to the broker.
"""

import logging

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from .models import Statement

logger = logging.getLogger(__name__)
# Set while a send is queued: statements recorded meanwhile ride on it (tasks.send_statements
# sends everything unsent) instead of queueing a task each. It expires on its own, and the
# sweep sends whatever waits, so a lost key or message delays statements, never loses them.
QUEUED_KEY = "xapi:send-queued"


def enabled():
    """Whether an LRS is configured."""
    return bool(settings.XAPI_LRS_URL)


def record(statement, user=None):
    """Keep ``statement`` (a dict with its ``id``) to send; returns the row, or None when no LRS is set."""
    if not enabled():
        return None
    row = Statement.objects.create(
        id=statement["id"], user=user, verb=statement["verb"]["id"][:255], statement=statement
    )
    transaction.on_commit(publish_send, robust=True)
    return row


def publish_send():
    """Ask a worker to send what is unsent (unless a send is queued); with the broker down, the sweep will."""
    if not cache.add(QUEUED_KEY, True, 60):
        return
    try:
        current_app.send_task("xapi.tasks.send_statements", ignore_result=True, queue=settings.XAPI_QUEUE)
    except Exception as exc:  # kombu raises several types
        cache.delete(QUEUED_KEY)
        logger.warning("xAPI: could not reach the broker (%s); the sweep will send", exc.__class__.__name__)


def unsent_count():
    return Statement.objects.filter(sent_at__isnull=True).count()
