"""``/metrics``: the portal in Prometheus' text format.

- django-prometheus (its middleware, settings block in base.py): requests and responses
  by view, method and status, latency histograms by view, exceptions; cache reads and the
  ones Redis did not answer (counted by portal/cache.py). Under gunicorn,
  ``PROMETHEUS_MULTIPROC_DIR`` makes every worker process write its values to files there,
  and this view sums them.
- Database errors: django-prometheus' ``django_db_errors_total`` by exception type,
  counted by an execute wrapper on every connection (``count_database_errors``) instead of
  its database backend, so DATABASES' ENGINE (which other code checks) stays Django's.
- Read at scrape time (``SiteCollector``): media items by status, completed courses whose
  certificate is not issued, the outbox's backlog (tasks not yet handed to the broker, and the
  age of the oldest), the Celery queues' lengths in the broker and the age of the oldest
  message in each, the workers' task outcomes and durations (encodes among them) from the
  shared Redis hash the workers write (portal/task_metrics.py), and the time of the newest
  complete database backup (listed from its storage at most every few minutes).
  The alert rules and the dashboard (kustomize/components/monitoring) query these names.

Access: with METRICS_TOKEN set, only ``Authorization: Bearer <token>``; without it, only
requests that did not pass a proxy (no X-Forwarded-For, Forwarded, X-Real-IP, X-Forwarded-Host
or other proxy header, ``portal/proxies.py``: Prometheus scraping the pod, not the internet
through the ingress). Everyone else gets 403.
Answered by a middleware placed first, like the probes: Prometheus scrapes the pod IP
(no ALLOWED_HOSTS name) over plain HTTP (no HTTPS redirect).
"""

import datetime
import hmac
import json
import logging
import os
import threading
import time

import redis
from django.conf import settings
from django.db import connections
from django.db.backends.signals import connection_created
from django.db.models import Count
from django.http import HttpResponse, HttpResponseForbidden
from django_prometheus.db.metrics import errors_total as database_errors
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

from outbox.services import backlog as outbox_backlog
from portal import backups, task_metrics
from portal.proxies import came_through_a_proxy

logger = logging.getLogger(__name__)

PATH = "/metrics"
QUEUES = ("default", "media")
# A completion whose certificate is not finished after this long is counted as not issued:
# the task normally takes seconds, and retries a mail server that is down for a while.
CERTIFICATE_GRACE = datetime.timedelta(hours=1)
# Listing the backups' storage (a bucket) on every scrape of every pod would cost requests
# for nothing: backups are taken once a day.
BACKUPS_READ_EVERY = 300
# How many messages from the head of a queue to look at for a send time (messages sent
# before the header existed have none).
QUEUE_AGE_SCAN = 10


# --- Database errors ---------------------------------------------------------------------------
def count_errors(execute, sql, params, many, context):
    try:
        return execute(sql, params, many, context)
    except Exception as error:
        connection = context["connection"]
        database_errors.labels(connection.alias, connection.vendor, type(error).__name__).inc()
        raise


def instrument(sender=None, connection=None, **kwargs):
    if count_errors not in connection.execute_wrappers:
        connection.execute_wrappers.append(count_errors)


def count_database_errors():
    """Count every failed query of every connection, present and future."""
    connection_created.connect(instrument, dispatch_uid="portal.metrics.instrument")
    for connection in connections.all(initialized_only=True):
        instrument(connection=connection)


# --- What the site holds, read at scrape time -----------------------------------------------------
def media_by_status():
    from wagtailmedia import get_media_model

    model = get_media_model()
    counts = dict.fromkeys(model.Status.values, 0)
    for row in model.objects.values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts


def queue_lengths():
    """Waiting messages per queue: Celery's Redis transport keeps each queue as a list."""
    stats = queue_stats()
    return None if stats is None else {queue: length for queue, (length, _age) in stats.items()}


def sent_at(raw):
    """The send time a task message carries (portal/signal_handlers.py), or None."""
    try:
        value = json.loads(raw)["headers"][task_metrics.SENT_AT_HEADER]
    except (ValueError, KeyError, TypeError):
        return None
    return float(value) if isinstance(value, int | float) else None


def oldest_age(client, queue, now):
    """Seconds the oldest waiting message of ``queue`` has waited (0 when empty).

    Kombu pushes on the left and workers pop from the right, so the oldest is last.
    """
    for raw in client.lrange(queue, -QUEUE_AGE_SCAN, -1)[::-1]:
        sent = sent_at(raw)
        if sent is not None:
            return max(0.0, now - sent)
    return 0.0


def queue_stats():
    """``{queue: (length, age of the oldest message in seconds)}``, or None without Redis."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return None
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    # kombu puts its global key prefix, when one is set, before every key it writes.
    prefix = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("global_keyprefix", "")
    try:
        now = time.time()
        return {
            queue: (client.llen(f"{prefix}{queue}"), oldest_age(client, f"{prefix}{queue}", now))
            for queue in QUEUES
        }
    finally:
        client.close()


def certificates_not_issued(now=None):
    from courses.services import completions_without_certificate

    now = now or datetime.datetime.now(datetime.UTC)
    return completions_without_certificate(completed_before=now - CERTIFICATE_GRACE).count()


class NewestBackup:
    """The newest complete backup's time (Unix seconds, 0 if none), read at most every
    ``BACKUPS_READ_EVERY`` seconds per process; a failed read is retried on the next scrape."""

    def __init__(self):
        self.lock = threading.Lock()
        self.value = None
        self.read_at = 0.0

    def __call__(self):
        with self.lock:
            if self.value is None or time.monotonic() - self.read_at > BACKUPS_READ_EVERY:
                found = backups.list_backups()
                self.value = found[0].taken_at.timestamp() if found else 0.0
                self.read_at = time.monotonic()
            return self.value

    def forget(self):
        with self.lock:
            self.value = None


newest_backup = NewestBackup()


def task_families():
    counts, histograms = task_metrics.read()
    tasks = CounterMetricFamily(
        "ringlet_celery_tasks", "Celery tasks finished, by task and final state.", labels=["task", "state"]
    )
    for (task, state), value in sorted(counts.items()):
        tasks.add_metric([task, state], value)
    durations = HistogramMetricFamily(
        "ringlet_celery_task_duration_seconds", "Run time of Celery tasks.", labels=["task"]
    )
    encodes = HistogramMetricFamily(
        "ringlet_media_encode_duration_seconds", "Run time of media encodes (every rendition in one run)."
    )
    for task, (buckets, total) in sorted(histograms.items()):
        ordered = [
            (bound, buckets.get(bound, 0)) for bound in map(task_metrics.bucket_label, task_metrics.BUCKETS)
        ]
        durations.add_metric([task], ordered, total)
        if task == task_metrics.ENCODE_TASK:
            encodes.add_metric([], ordered, total)
    return [tasks, durations, encodes]


class SiteCollector:
    """Reads the database, the broker and the task store on every scrape."""

    def collect(self):
        up = GaugeMetricFamily(
            "ringlet_metrics_source_up", "Whether a source of these metrics answered.", labels=["source"]
        )
        sources = {
            "database": self.database,
            "outbox": self.outbox,
            "broker": self.queues,
            "task_store": task_families,
            "backups": self.backups,
        }
        for source, read in sources.items():
            try:
                families = read()
            except Exception as error:  # a scrape must answer whatever is down
                logger.warning("metrics source %s failed: %s", source, error)
                up.add_metric([source], 0)
                continue
            up.add_metric([source], 1)
            yield from families
        yield up

    @staticmethod
    def database():
        family = GaugeMetricFamily("ringlet_media_items", "Media library items by status.", labels=["status"])
        for status, count in media_by_status().items():
            family.add_metric([status], count)
        certificates = GaugeMetricFamily(
            "ringlet_certificates_not_issued",
            "Courses completed over an hour ago whose certificate is not issued (no PDF or not emailed).",
            value=certificates_not_issued(),
        )
        return [family, certificates]

    @staticmethod
    def outbox():
        unsent, oldest = outbox_backlog()
        waiting = GaugeMetricFamily(
            "ringlet_outbox_unsent", "Tasks written to the outbox and not yet handed to the broker."
        )
        waiting.add_metric([], unsent)
        age = GaugeMetricFamily(
            "ringlet_outbox_oldest_unsent_seconds",
            "Age of the oldest task waiting in the outbox (0 if none); over a minute: no broker.",
        )
        age.add_metric([], oldest)
        return [waiting, age]

    @staticmethod
    def queues():
        stats = queue_stats()
        if stats is None:
            return []
        lengths = GaugeMetricFamily(
            "ringlet_celery_queue_length", "Tasks waiting in each Celery queue.", labels=["queue"]
        )
        ages = GaugeMetricFamily(
            "ringlet_celery_queue_oldest_age_seconds",
            "How long the oldest task waiting in each Celery queue has waited (0 when empty).",
            labels=["queue"],
        )
        for queue, (length, age) in stats.items():
            lengths.add_metric([queue], length)
            ages.add_metric([queue], age)
        return [lengths, ages]

    @staticmethod
    def backups():
        return [
            GaugeMetricFamily(
                "ringlet_backup_newest_timestamp_seconds",
                "When the newest complete database dump (manage.py backup_db) was taken; 0 if none.",
                value=newest_backup(),
            )
        ]


SITE_REGISTRY = CollectorRegistry(auto_describe=False)
SITE_REGISTRY.register(SiteCollector())


# --- The endpoint -----------------------------------------------------------------------------------
def allowed(request):
    token = settings.METRICS_TOKEN
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())
    return not came_through_a_proxy(request)


def process_metrics():
    """This process's metrics, or every gunicorn worker's in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def metrics_view(request):
    if not allowed(request):
        return HttpResponseForbidden(
            "/metrics needs METRICS_TOKEN as a bearer token, or a request from inside the cluster.\n",
            content_type="text/plain",
        )
    return HttpResponse(process_metrics() + generate_latest(SITE_REGISTRY), content_type=CONTENT_TYPE_LATEST)


class MetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == PATH and request.method in ("GET", "HEAD"):
            return metrics_view(request)
        return self.get_response(request)
