"""Celery task outcomes and durations, kept in Redis so the web process can export them.

Worker processes come and go (prefork children, pods scaled by KEDA), so their counters
cannot live in their memory: each finished task adds to one Redis hash (REDIS_URL, the
cache's server) with a few HINCRBY calls, and ``/metrics`` on any web pod reads the hash
(portal/metrics.py). Without REDIS_URL (``make run``'s embedded defaults) nothing is
recorded. Counters only grow; a flushed Redis reads to Prometheus as a counter reset.
"""

import functools
import logging
import math

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

# Seconds: short tasks (emails, sweeps) and long encodes (up to the media worker's hour).
BUCKETS = (0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, math.inf)
ENCODE_TASK = "media_library.tasks.encode"
# A header every task message carries (portal/signal_handlers.py): when it was sent, in
# Unix seconds. Celery's own messages have no such time.
SENT_AT_HEADER = "ringlet_sent_at"


@functools.cache
def store():
    """The Redis client for the shared metrics, or None without REDIS_URL."""
    if not settings.REDIS_URL:
        return None
    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)


def key():
    prefix = settings.CACHES["default"].get("KEY_PREFIX") or "ringlet"
    return f"{prefix}:metrics:celery-tasks"


def bucket_label(bound):
    return "+Inf" if bound == math.inf else repr(float(bound))


def record(task, state, seconds):
    """Count one finished task (``state``: SUCCESS, FAILURE, RETRY...) and its duration."""
    client = store()
    if client is None:
        return
    pipe = client.pipeline(transaction=False)
    pipe.hincrby(key(), f"count|{task}|{state}", 1)
    if seconds is not None:
        for bound in BUCKETS:
            if seconds <= bound:
                pipe.hincrby(key(), f"bucket|{task}|{bucket_label(bound)}", 1)
        pipe.hincrbyfloat(key(), f"sum|{task}", seconds)
    try:
        pipe.execute()
    except redis.RedisError:
        # Metrics must never fail or slow a task; the next one counts again.
        logger.warning("could not record the metrics of %s", task, exc_info=True)


def read():
    """``(counts, histograms)``: ``{(task, state): n}`` and ``{task: ({le: n}, sum)}``."""
    client = store()
    if client is None:
        return {}, {}
    counts, histograms = {}, {}
    for field, value in client.hgetall(key()).items():
        kind, _, rest = field.decode().partition("|")
        if kind == "count":
            task, state = rest.rsplit("|", 1)
            counts[(task, state)] = int(value)
        elif kind == "bucket":
            task, bound = rest.rsplit("|", 1)
            buckets, total = histograms.get(task, ({}, 0.0))
            buckets[bound] = int(value)
            histograms[task] = (buckets, total)
        elif kind == "sum":
            buckets, _ = histograms.get(rest, ({}, 0.0))
            histograms[rest] = (buckets, float(value))
    return counts, histograms
