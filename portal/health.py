"""Liveness and readiness probes.

``/health/`` says only that the process answers: it touches no backing service, so
a database outage never makes Kubernetes restart healthy web pods. ``/ready/``
checks the database, the cache and the broker and answers 503, naming the failing
parts, when any of them is unreachable, so the pod is taken out of the Service.

Both are answered by a middleware placed before everything else, because probes
arrive with the pod IP as Host (not in ALLOWED_HOSTS) and over plain HTTP (which
SECURE_SSL_REDIRECT would redirect).
"""

import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 2


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache():
    key = f"ready-probe-{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=5)
    if cache.get(key) != "ok":
        raise RuntimeError("the value written could not be read back")
    cache.delete(key)


def check_broker():
    from portal.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)


CHECKS = {"database": check_database, "cache": check_cache, "broker": check_broker}


def readiness():
    """Run every readiness check; return ``(ok, {part: "ok" or error text})``."""
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:  # any failure of a backing service means "not ready"
            logger.warning("readiness check %s failed: %s", name, exc)
            results[name] = f"error: {exc.__class__.__name__}: {exc}"
        else:
            results[name] = "ok"
    return all(value == "ok" for value in results.values()), results


def health_view(request):
    return JsonResponse({"status": "ok"})


def ready_view(request):
    ok, results = readiness()
    failing = [name for name, value in results.items() if value != "ok"]
    body = {"status": "ok" if ok else "unavailable", "checks": results, "failing": failing}
    return JsonResponse(body, status=200 if ok else 503)


PROBES = {"/health/": health_view, "/ready/": ready_view}


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = PROBES.get(request.path_info)
        if view is not None and request.method in ("GET", "HEAD"):
            return view(request)
        return self.get_response(request)
