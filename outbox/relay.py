"""Handing the outbox to the broker: at once after each commit, and from beat for the rest.

**Fast path.** ``enqueue`` registers :func:`kick` to run when its transaction commits; it puts
the message's id on a queue read by one daemon thread per process (started on first use, and
again in a forked child), which publishes and marks it sent. The committing request never
talks to the broker: with Redis down it answers as fast as ever, and only the thread waits
for the broker's connection timeout. After a failure the thread rests ``REST_SECONDS`` and
leaves new messages to beat.

**The rest.** Beat runs ``outbox.tasks.relay`` every ``OUTBOX_RELAY_EVERY`` seconds (10):
it publishes every unsent message that is due, oldest first, so whatever the thread could
not publish (the broker was down, the process died between commit and publish) goes out
within seconds of the broker being back.

**Exactly once, in effect.** A message is published, then marked sent in the same
transaction that locked it (``SELECT ... FOR UPDATE SKIP LOCKED``): two relays never
publish the same row, and a relay that dies between publishing and committing leaves the
row unsent, so it is published again. The tasks are idempotent, which makes that duplicate
harmless; nothing is ever lost, since a row is only marked sent after the broker took it.
Publishing is bounded: the broker's connection timeout (2 s) and one quick retry per message
(``RETRY_POLICY``); a message that could not be published waits 1, 2, 4 ... up to
``BACKOFF_MAX`` seconds before the next try.
"""

import logging
import os
import queue
import threading
import time
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from .models import Message

logger = logging.getLogger(__name__)

BATCH = 20
RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
BACKOFF_MAX = 30
REST_SECONDS = 5
PURGE_BATCH = 5000
# Task name -> callbacks run once one of its messages is published (services.on_published).
_published_callbacks = {}


def register_on_published(name, callback):
    callbacks = _published_callbacks.setdefault(name, [])
    if callback not in callbacks:
        callbacks.append(callback)


def task_id(message):
    """The Celery task id of a message: the same for every publication of it, so a duplicate
    (a relay that died before marking it sent) is recognisable in the workers' logs."""
    return f"outbox-{message.pk}"


def publish(message, connection=None):
    # ignore_result: nobody waits on these results, and asking the Redis result backend to
    # subscribe for one is what used to hold a request for ~19 s while Redis was down.
    current_app.send_task(
        message.task,
        args=message.args,
        kwargs=message.kwargs,
        task_id=task_id(message),
        ignore_result=True,
        retry=True,
        retry_policy=RETRY_POLICY,
        connection=connection,
    )


def relay(limit=None, ids=None, connection=None):
    """Publish the unsent messages that are due (only ``ids``, if given), oldest first (on
    ``connection``, a kombu connection; by default the app's broker).

    Stops at the first failure (the broker is down: the others would fail too) or after
    ``limit`` messages. Returns ``(sent, failed)`` counts.
    """
    sent = failed = 0
    while not failed and (limit is None or sent < limit):
        size = BATCH if limit is None else min(BATCH, limit - sent)
        with transaction.atomic():
            due = Message.objects.select_for_update(skip_locked=True).filter(
                sent_at__isnull=True, next_attempt_at__lte=timezone.now()
            )
            if ids is not None:
                due = due.filter(pk__in=ids)
            batch = list(due.order_by("next_attempt_at", "id")[:size])
            if not batch:
                break
            published = []
            for message in batch:
                try:
                    publish(message, connection)
                except Exception as exc:  # kombu raises several types for an unreachable broker
                    _postpone(message, exc)
                    failed += 1
                    break
                published.append(message.pk)
            if published:
                Message.objects.filter(pk__in=published).update(sent_at=timezone.now())
                sent += len(published)
                for message in batch[: len(published)]:
                    _run_published_callbacks(message)
    return sent, failed


def _run_published_callbacks(message):
    for callback in _published_callbacks.get(message.task, ()):
        try:
            with transaction.atomic():  # a savepoint: a failing callback undoes only itself
                callback(*message.args, **message.kwargs)
        except Exception:
            logger.exception(
                "outbox: a callback for published %s (message %s) failed", message.task, message.pk
            )


def _postpone(message, exc):
    attempts = message.attempts + 1
    delay = min(2 ** (attempts - 1), BACKOFF_MAX)
    Message.objects.filter(pk=message.pk).update(
        attempts=attempts,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
        last_error=f"{exc.__class__.__name__}: {exc}"[:2000],
    )
    # One line, not a traceback: the broker being away is expected, and this says enough.
    logger.warning(
        "outbox: could not publish %s (message %s, attempt %d: %s: %s); trying again in %d s",
        message.task,
        message.pk,
        attempts,
        exc.__class__.__name__,
        exc,
        delay,
    )


def purge():
    """Delete sent messages older than ``OUTBOX_KEEP_DAYS`` (a bounded batch); returns how many."""
    before = timezone.now() - timedelta(days=settings.OUTBOX_KEEP_DAYS)
    old = list(
        Message.objects.filter(sent_at__isnull=False, created_at__lt=before).values_list("pk", flat=True)[
            :PURGE_BATCH
        ]
    )
    if not old:
        return 0
    deleted, _ = Message.objects.filter(pk__in=old).delete()
    return deleted


class _OnCommitRelay:
    """The fast path: one daemon thread per process publishing what was just committed."""

    def __init__(self):
        self._lock = threading.Lock()
        self._pid = None
        self._queue = None
        self._resting_until = 0.0
        self._pending = 0  # ids put and not yet handled
        self._idle = threading.Condition(self._lock)
        self.connection = None  # the broker's, unless a test hands it another

    def kick(self, message_id):
        if time.monotonic() < self._resting_until:
            return  # the broker failed moments ago: beat's relay publishes this one
        with self._lock:
            if self._pid != os.getpid():  # first use, or a forked child (gunicorn, Celery)
                self._pid, self._queue = os.getpid(), queue.SimpleQueue()
                thread = threading.Thread(
                    target=self._run, args=(self._queue,), name="outbox-relay", daemon=True
                )
                thread.start()
                self._pending = 0
            self._pending += 1
            self._queue.put(message_id)

    def wait_idle(self, timeout):
        """Wait until this process's thread has handled every id it was given (True), or
        ``timeout`` seconds (False). For tests, which must not empty the database under it."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0 or self._pid != os.getpid(), timeout)

    def _run(self, ids):
        while True:
            burst = [ids.get()]
            while True:  # what committed meanwhile goes in the same transaction
                try:
                    burst.append(ids.get_nowait())
                except queue.Empty:
                    break
            try:
                if time.monotonic() >= self._resting_until:
                    _, failed = relay(ids=burst, connection=self.connection)
                    if failed:
                        self._resting_until = time.monotonic() + REST_SECONDS
            except Exception:  # the database itself failed: the rows, if committed, wait for beat
                logger.warning("outbox: the on-commit relay failed; beat's relay will publish", exc_info=True)
            finally:
                # This thread's own connection; never left open between bursts (a test
                # database must be droppable, a pooler's connection returned).
                connections.close_all()
                with self._idle:
                    self._pending -= len(burst)
                    self._idle.notify_all()


_on_commit = _OnCommitRelay()


def kick(message_id):
    """Publish ``message_id`` soon, from this process's relay thread (``enqueue``'s on-commit hook)."""
    _on_commit.kick(message_id)


def wait_idle(timeout=10):
    """Whether this process's relay thread finished what it was given within ``timeout`` seconds."""
    return _on_commit.wait_idle(timeout)
