"""A PostgreSQL session advisory lock per work item, for the pipelines that run one job per item
(media encodes here, content-package unpacking in ``packages``)."""

import contextlib

from django.db import connection


@contextlib.contextmanager
def advisory_lock(namespace, item_id):
    """Try to take the lock ``(namespace, item_id)``; yields whether it was taken.

    The server releases it if the worker dies. SQLite (the single-process development set-up)
    has none: the lock is always taken there.
    """
    if connection.vendor != "postgresql":
        yield True
        return
    key = [namespace, item_id]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", key)
        locked = cursor.fetchone()[0]
    try:
        yield locked
    finally:
        if locked:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)
