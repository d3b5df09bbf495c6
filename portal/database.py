"""A read whose database connection was cut under it is run again on a new connection.

Django's ``CONN_HEALTH_CHECKS`` tests a persistent connection before the first query of each
request, so a connection the server dropped *between* requests never reaches a view. One
dropped *during* a request (PostgreSQL restarted or failed over, an idle-session timeout, a
pooler recycling its servers, ``pg_terminate_backend``) is not checked again: the next query
raised ``AdminShutdown`` or "server closed the connection unexpectedly" and the page answered
500. That is where the issue's 4 in 1,460 GETs came from (tests/portal/test_database_drop.py
reproduces it: 35 of 851 requests with connections killed every 2 s under load, 0 with this).

:func:`retry_lost_reads` is an execute wrapper on every connection (``install``): when a
``SELECT`` fails because the connection is gone, and the connection is in autocommit (no
transaction was open, so nothing else is lost with it), it reconnects and runs the ``SELECT``
once more. Everything else is re-raised as before: a read inside ``atomic()`` (its transaction
died with the connection, and only the caller can start it again), any write (a statement the
server may have committed just before the connection dropped must not run twice), an error on
a connection that still answers (a real query error), and a database that stays unreachable.
"""

import logging

from django.db import InterfaceError, OperationalError, connections
from django.db.backends.signals import connection_created

logger = logging.getLogger(__name__)


def _is_plain_read(sql):
    statement = sql.lstrip().lstrip("(").lstrip()[:6].upper()
    return statement == "SELECT" and "FOR UPDATE" not in sql.upper()


def _connection_lost(connection):
    raw = connection.connection
    if raw is None or getattr(raw, "broken", False) or getattr(raw, "closed", False):
        return True
    return not connection.is_usable()


def retry_lost_reads(execute, sql, params, many, context):
    try:
        return execute(sql, params, many, context)
    except (OperationalError, InterfaceError) as error:
        connection, cursor = context["connection"], context["cursor"]
        if (
            many
            or connection.in_atomic_block
            or not connection.autocommit
            or getattr(cursor.cursor, "name", None)  # a server-side cursor is gone with its connection
            or not _is_plain_read(sql)
            or not _connection_lost(connection)
        ):
            raise
        logger.warning("database connection lost (%s); reading again on a new connection", error)
        connection.close()
        try:
            connection.ensure_connection()
        except Exception:
            raise error from None  # still unreachable: the original error says what happened
        cursor.cursor = connection.create_cursor()
        return execute(sql, params, many, context)


def _install(sender=None, connection=None, **kwargs):
    if retry_lost_reads not in connection.execute_wrappers:
        # Outermost, so the retry runs every other wrapper (the error metrics) again too.
        connection.execute_wrappers.insert(0, retry_lost_reads)


def install():
    """Wrap every connection, present and future (``PortalConfig.ready``)."""
    connection_created.connect(_install, dispatch_uid="portal.database.retry_lost_reads")
    for connection in connections.all(initialized_only=True):
        _install(connection=connection)
