"""Lessons' tasks: writing buffered playback positions to PostgreSQL."""

from celery import shared_task

from . import playback_buffer


@shared_task(ignore_result=True)
def flush_playback():
    """Write the playback positions waiting in Redis to PostgreSQL (bounded, idempotent: a
    duplicate or overlapping run writes nothing twice; ``playback_buffer.flush``)."""
    return playback_buffer.flush()
