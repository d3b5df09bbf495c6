"""The outbox: tasks to hand to the broker, written in the transaction that calls for them."""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class Message(models.Model):
    """One task call (``task`` by name, with JSON arguments) waiting for, or past, its publication.

    Written by ``outbox.services.enqueue`` in the caller's transaction, so it exists exactly
    when the change that called for it was committed. The relay publishes it and sets
    ``sent_at``; sent rows are kept ``OUTBOX_KEEP_DAYS`` for inspection, then deleted.
    """

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Publishing failed this many times (the broker was down); the next try waits until then.
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            # The relay's query: what is unsent and due, oldest first. Partial, so it stays as
            # small as the backlog however many sent rows are kept.
            models.Index(
                fields=["next_attempt_at", "id"], condition=Q(sent_at__isnull=True), name="outbox_unsent"
            ),
            # "Was this task already enqueued lately?" (the recovery sweeps).
            models.Index(fields=["task", "created_at"], name="outbox_task_created"),
            # The relay's purge of old sent messages, every run.
            models.Index(
                fields=["created_at"], condition=Q(sent_at__isnull=False), name="outbox_sent_created"
            ),
        ]

    def __str__(self):
        state = f"sent {self.sent_at:%Y-%m-%d %H:%M:%S}" if self.sent_at else "unsent"
        return f"{self.task}{tuple(self.args)} ({state})"
