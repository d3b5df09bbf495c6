"""What other apps may call: write a task into the outbox, and do a side effect exactly once.

**The outbox.** Work a request or a signal starts (emails, certificates, transcodes, document
reading, grade passback) is not sent to Celery from the request: ::

    from outbox.services import enqueue

    enqueue(tasks.issue_certificate, user.pk, course.pk)   # or the task's name

writes the call to PostgreSQL in the current transaction. It exists if and only if that
transaction commits; the relay (``outbox.relay``) publishes it once it has, from a thread
of this process at once, or from beat within seconds if the broker was down. The request
never waits on the broker. Tasks started this way must be idempotent: after a crash between
publishing and recording it, a message is published twice. Arguments are JSON (ids, not
model instances).

**Exactly once, in effect.** A task that sends an email (or calls any other service that
cannot be rolled back) claims the row that records it, does the call with no database lock
held, then marks it done (:func:`claim`, :func:`finish`, :func:`release`): ::

    state = claim(Certificate.objects.filter(pk=pk), done="emailed_at", claimed="email_claimed_at")
    if state is Claim.CLAIMED:
        try:
            send()
        except Exception:
            release(...)   # the next attempt may claim it at once
            raise
        finish(...)

A claim left by a killed worker expires after ``DELIVERY_LEASE`` seconds (longer than any
task may run), so a redelivered task sends it then.
"""

import enum
import json
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import relay
from .models import Message


def task_name(task):
    """A Celery task's name (``task`` may be the task or its name)."""
    return task if isinstance(task, str) else task.name


def enqueue(task, *args, **kwargs):
    """Call ``task(*args, **kwargs)`` through Celery once the current transaction commits.

    Returns the outbox ``Message``. Outside ``atomic()`` the row is committed at once. The
    arguments must be JSON-serialisable (a ``TypeError`` says otherwise, before anything is
    written).
    """
    json.dumps([args, kwargs])  # a TypeError now, rather than a broken transaction
    message = Message.objects.create(task=task_name(task), args=list(args), kwargs=kwargs)
    transaction.on_commit(partial(relay.kick, message.pk), robust=True)
    return message


def enqueue_unless_recent(task, *args, within, **kwargs):
    """:func:`enqueue`, unless the same call was enqueued in the last ``within`` (a timedelta).

    For recovery sweeps: a call still waiting in the outbox or the broker is not doubled by
    every run of the sweep. Returns the new ``Message``, or None.
    """
    name = task_name(task)
    recent = Message.objects.filter(
        task=name, args=list(args), kwargs=kwargs, created_at__gte=timezone.now() - within
    )
    if recent.exists():
        return None
    return enqueue(name, *args, **kwargs)


def waiting(task, *args, **kwargs):
    """Whether this call is in the outbox and not published yet (the relay will publish it)."""
    return Message.objects.filter(
        task=task_name(task), args=list(args), kwargs=kwargs, sent_at__isnull=True
    ).exists()


def on_published(task, callback):
    """Have the relay call ``callback(*args, **kwargs)`` for each message of ``task`` it publishes.

    It runs in the transaction that records the message sent, so it may record that the work
    is now queued (the media library marks an item queued). An exception in it is logged and
    changes nothing else. Register in ``AppConfig.ready()``.
    """
    relay.register_on_published(task_name(task), callback)


def backlog():
    """``(unsent messages, age in seconds of the oldest, or 0)``, for /metrics."""
    unsent = Message.objects.filter(sent_at__isnull=True)
    oldest = unsent.order_by("created_at").values_list("created_at", flat=True).first()
    age = (timezone.now() - oldest).total_seconds() if oldest else 0.0
    return unsent.count(), age


class Claim(enum.Enum):
    CLAIMED = "claimed"  # this caller does it now
    HELD = "held"  # another caller is doing it (or died doing it, until the lease expires)
    DONE = "done"  # already done, or the row is gone


def lease():
    return timedelta(seconds=settings.DELIVERY_LEASE)


def claim(rows, done, claimed):
    """Claim the side effect recorded by field ``done`` of the one row ``rows`` selects.

    ``claimed`` is a nullable datetime field holding the claim. One short UPDATE, committed at
    once (no lock is held afterwards): it succeeds for one caller while the effect is not
    done and nobody holds a live claim. Returns a :class:`Claim`.
    """
    now = timezone.now()
    taken = (
        rows.filter(**{f"{done}__isnull": True})
        .filter(Q(**{f"{claimed}__isnull": True}) | Q(**{f"{claimed}__lt": now - lease()}))
        .update(**{claimed: now})
    )
    if taken:
        return Claim.CLAIMED
    state = rows.values_list(done, flat=True).first()
    return Claim.HELD if rows.exists() and state is None else Claim.DONE


def finish(rows, done, claimed):
    """The claimed side effect happened: record it (it is never done again)."""
    rows.update(**{done: timezone.now(), claimed: None})


def release(rows, claimed):
    """The claimed side effect failed: give the claim up, so the next attempt may take it at once."""
    rows.update(**{claimed: None})
