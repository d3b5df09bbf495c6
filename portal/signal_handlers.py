"""Celery signal handlers of the portal: every task's outcome and duration go to the shared
metrics (portal/task_metrics.py). Connected in PortalConfig.ready(), so in every worker."""

import time

from celery.signals import task_postrun, task_prerun

from portal import task_metrics

# Start times of the tasks running in this process, by task id.
_started = {}


def task_started(task_id=None, **kwargs):
    _started[task_id] = time.monotonic()


def task_finished(task_id=None, task=None, state=None, **kwargs):
    started = _started.pop(task_id, None)
    seconds = time.monotonic() - started if started is not None else None
    task_metrics.record(getattr(task, "name", "unknown"), state or "UNKNOWN", seconds)


def connect():
    task_prerun.connect(task_started, weak=False, dispatch_uid="portal.task_started")
    task_postrun.connect(task_finished, weak=False, dispatch_uid="portal.task_finished")
