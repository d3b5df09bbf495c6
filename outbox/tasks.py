"""The outbox's periodic task (beat, every ``OUTBOX_RELAY_EVERY`` seconds)."""

import logging

from celery import shared_task

from . import relay as outbox_relay

logger = logging.getLogger(__name__)

# One run publishes at most this many messages; the next run, seconds later, goes on.
RUN_LIMIT = 2000


# Acknowledged on start: a run lost with its worker is simply the next run's work.
@shared_task(acks_late=False, ignore_result=True)
def relay():
    """Publish what the on-commit relay left (the broker was down, a process died), then
    delete old sent messages. Returns ``(sent, failed, purged)``."""
    sent, failed = outbox_relay.relay(limit=RUN_LIMIT)
    purged = outbox_relay.purge()
    if sent or failed:
        logger.info("outbox: published %d message(s), %d could not be published yet", sent, failed)
    return sent, failed, purged
