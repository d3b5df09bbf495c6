"""Signal handlers of the portal. The edge tier's purges (``portal/edge_purge.py``) on
publish, unpublish, move, delete and view-restriction changes. Celery's: every task's
outcome and duration go to the shared metrics (portal/task_metrics.py), and every task
message carries the time it was sent (so /metrics can tell how long the oldest one has
waited). Connected in PortalConfig.ready(),
so in every process that sends or runs tasks."""

import time

from celery.signals import before_task_publish, task_postrun, task_prerun
from django.db.models.signals import post_delete, post_save, pre_delete
from wagtail.models import PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move, pre_page_move

from portal import edge_purge, task_metrics

# Start times of the tasks running in this process, by task id.
_started = {}


def task_started(task_id=None, **kwargs):
    _started[task_id] = time.monotonic()


def task_finished(task_id=None, task=None, state=None, **kwargs):
    started = _started.pop(task_id, None)
    seconds = time.monotonic() - started if started is not None else None
    task_metrics.record(getattr(task, "name", "unknown"), state or "UNKNOWN", seconds)


def stamp_sent_at(headers=None, **kwargs):
    """Celery's messages carry no send time; the queue-age metric reads this header.

    Overwritten on every publish: a retry copies its request's headers into the new
    message, and its wait starts now, not when the first attempt was sent."""
    if headers is not None:
        headers[task_metrics.SENT_AT_HEADER] = time.time()


def connect():
    for signal in (page_published, page_unpublished, pre_page_move, post_page_move):
        signal.connect(edge_purge.page_changed, dispatch_uid=f"portal.edge_purge.{id(signal)}")
    pre_delete.connect(edge_purge.page_deleted, dispatch_uid="portal.edge_purge.deleted")
    for signal in (post_save, post_delete):
        signal.connect(
            edge_purge.restriction_changed,
            sender=PageViewRestriction,
            dispatch_uid=f"portal.edge_purge.restriction.{id(signal)}",
        )
    before_task_publish.connect(stamp_sent_at, weak=False, dispatch_uid="portal.stamp_sent_at")
    task_prerun.connect(task_started, weak=False, dispatch_uid="portal.task_started")
    task_postrun.connect(task_finished, weak=False, dispatch_uid="portal.task_finished")
