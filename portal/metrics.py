"""``/metrics``: the portal in Prometheus' text format.

- django-prometheus (its middleware, settings block in base.py): requests and responses
  by view, method and status, latency histograms by view, exceptions; cache reads and the
  ones Redis did not answer (counted by portal/cache.py). Under gunicorn,
  ``PROMETHEUS_MULTIPROC_DIR`` makes every worker process write its values to files there,
  and this view sums them.
- Database errors: django-prometheus' ``django_db_errors_total`` by exception type,
  counted by an execute wrapper on every connection (``count_database_errors``) instead of
  its database backend, so DATABASES' ENGINE (which other code checks) stays Django's.
- Read at scrape time (``SiteCollector``): media items by status, the outbox's backlog (tasks
  not yet handed to the broker, and the age of the oldest), the Celery queues' lengths in the
  broker, and the workers' task outcomes and durations (encodes among them) from the shared
  Redis hash the workers write (portal/task_metrics.py).

Access: with METRICS_TOKEN set, only ``Authorization: Bearer <token>``; without it, only
requests that did not pass a proxy (no X-Forwarded-For, Forwarded, X-Real-IP, X-Forwarded-Host
or other proxy header, ``portal/proxies.py``: Prometheus scraping the pod, not the internet
through the ingress). Everyone else gets 403.
Answered by a middleware placed first, like the probes: Prometheus scrapes the pod IP
(no ALLOWED_HOSTS name) over plain HTTP (no HTTPS redirect).
"""

import hmac
import logging
import os

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
from portal import task_metrics
from portal.proxies import came_through_a_proxy

logger = logging.getLogger(__name__)

PATH = "/metrics"
QUEUES = ("default", "media")


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
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return None
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        return {queue: client.llen(queue) for queue in QUEUES}
    finally:
        client.close()


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
            "database": self.media,
            "outbox": self.outbox,
            "broker": self.queues,
            "task_store": task_families,
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
    def media():
        family = GaugeMetricFamily("ringlet_media_items", "Media library items by status.", labels=["status"])
        for status, count in media_by_status().items():
            family.add_metric([status], count)
        return [family]

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
        lengths = queue_lengths()
        if lengths is None:
            return []
        family = GaugeMetricFamily(
            "ringlet_celery_queue_length", "Tasks waiting in each Celery queue.", labels=["queue"]
        )
        for queue, length in lengths.items():
            family.add_metric([queue], length)
        return [family]


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
