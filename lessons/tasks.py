"""Lessons' tasks: writing buffered playback positions to PostgreSQL."""

from celery import shared_task

from . import playback_buffer


# Acknowledged on start, like every periodic task: a run lost with its worker is the next one's
# (its claims expire, so nothing it held is lost).
@shared_task(ignore_result=True, acks_late=False)
def flush_playback():
    """Write the playback positions waiting in Redis to PostgreSQL (bounded, idempotent: a
    duplicate or overlapping run writes nothing twice; ``playback_buffer.flush``)."""
    return playback_buffer.flush()
