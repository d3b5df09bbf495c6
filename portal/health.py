"""Liveness and readiness probes.

``/health/`` says only that the process answers: it touches no backing service, so
a database outage never makes Kubernetes restart healthy web pods. ``/ready/``
checks the database, the cache and the broker and names the failing parts, but answers
503 only when a part this pod cannot serve without is down: the database. Redis (cache
and broker) is an accelerator: pages, logins and uploads work without it (the cache
fails open, portal/cache.py), and since every pod shares the same Redis, failing on it
would take every pod out of rotation at once.

``/ready/`` is for the kubelet only: a request that came through the ingress (it
carries ``X-Forwarded-For``, ``Forwarded``, ``X-Real-IP`` or any other proxy header:
``portal/proxies.py``) gets a 404, and the body names no hosts or ports (only the class
of each error; the details go to the log).

Both are answered by a middleware placed before everything else, because probes
arrive with the pod IP as Host (not in ALLOWED_HOSTS) and over plain HTTP (which
SECURE_SSL_REDIRECT would redirect).
"""

import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse

from portal.proxies import came_through_a_proxy

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 2


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache():
    # The default cache fails open, so a write and read always "work": ask Redis itself.
    ping = getattr(cache, "ping", None)
    if ping is not None:
        ping()
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
# The parts without which this pod cannot serve requests; the others only slow it down.
CRITICAL = {"database"}


def readiness():
    """Run every readiness check; return ``(ok, {part: "ok" or "error: <class>"})``, where ``ok``
    is False only when a CRITICAL part fails."""
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:  # any failure of a backing service means "not ready"
            logger.warning("readiness check %s failed: %s", name, exc)
            # The message names internal hosts and ports: it goes to the log, not the body.
            results[name] = f"error: {exc.__class__.__name__}"
        else:
            results[name] = "ok"
    return all(results[name] == "ok" for name in CRITICAL), results


def health_view(request):
    return JsonResponse({"status": "ok"})


def ready_view(request):
    if came_through_a_proxy(request):
        # Came through the ingress: readiness is the kubelet's business only.
        return JsonResponse({"status": "not found"}, status=404)
    ok, results = readiness()
    failing = [name for name, value in results.items() if value != "ok"]
    status = "unavailable" if not ok else ("degraded" if failing else "ok")
    body = {"status": status, "checks": results, "failing": failing}
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
