"""Gunicorn settings for the web process (the container's default command).

Every value an operator may change comes from the environment (the README's
configuration table lists them), so one image serves every environment.
Shutdown: Kubernetes sends SIGTERM after the preStop pause; gunicorn then stops
accepting and gives running requests ``graceful_timeout`` seconds, which must stay
below the pod's terminationGracePeriodSeconds minus that pause (a test checks it).
"""

import gc
import json
import os
import shutil
from pathlib import Path

from gunicorn.glogging import Logger
from gunicorn.workers import gthread

wsgi_app = "portal.wsgi:application"
bind = [os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")]


class ThreadWorker(gthread.ThreadWorker):
    """gunicorn's threaded worker, taking a new connection only while one of its threads is free.

    Every worker polls the same listening socket and the first awake takes each connection. A
    burst of new connections (wrk, or the edge filling its pool of upstream connections) often
    all went to one worker, which then served every request they carried, kept alive, on one
    core while the other worker idled: measured per worker, the dashboard at 206-230 req/s
    instead of 447-476, and more CPU a request (issue 21, bench/RESULTS.md; gunicorn issue
    #3433). Rejected: ``reuse_port`` (a socket per worker, balanced by the kernel) resets the
    connections queued on a worker's socket whenever that worker stops (each ``max_requests``)
    unless the node sets ``net.ipv4.tcp_migrate_req``, which Kubernetes counts as an unsafe
    sysctl; a lower ``worker_connections`` balances wrk but not the edge, whose idle kept-alive
    connections then hold the slots while new ones wait in the backlog (p50 1.9 -> 17.7 ms
    under 3,000 watchers).

    So a worker stops polling the socket while as many requests are in flight as it has threads,
    and the kernel hands the connection to a worker that polls it. A full worker takes one more
    new connection once it has finished as many requests as it has threads since its last one:
    new clients are never starved while kept-alive ones keep every worker busy, a busy worker
    takes them at a fraction of the rate it serves (at one per finished request, the first worker
    awake still took most of a burst of fast page-cache hits), and a worker whose threads are all
    stuck takes nothing more."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.in_flight = 0  # requests handed to the thread pool and not finished
        self.finished = 0
        self.finished_at_accept = 0

    def has_room(self):
        threads = self.cfg.threads
        return self.in_flight < threads or self.finished - self.finished_at_accept >= threads

    # Everything below runs on the worker's main thread (finish_request through gunicorn's
    # method queue), so the counters need no lock. gunicorn's loop calls set_accept_enabled(True)
    # on every turn while the socket is not polled, which re-checks has_room().
    def set_accept_enabled(self, enabled):
        super().set_accept_enabled(enabled and self.has_room())

    def accept(self, listener):
        self.finished_at_accept = self.finished
        super().accept(listener)

    def enqueue_req(self, conn):
        self.in_flight += 1
        super().enqueue_req(conn)
        if self._accepting and not self.has_room():
            super().set_accept_enabled(False)

    def finish_request(self, conn, fs):
        self.in_flight -= 1
        self.finished += 1
        super().finish_request(conn, fs)


# Threads let a worker keep serving while another thread waits on a slow upload or query.
worker_class = ThreadWorker
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "60"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then so that a slow leak never reaches the memory limit, by
# measurement (bench/worker_memory.py, bench/RESULTS.md, issue 21): a worker's RSS reached 156 MB
# in its first 1,000 student requests and did not move (to the MB) over the next 5,000, so a
# leak, if any, is under 0.2 kB a request: under 10 MB over 50,000. 2,000 recycled a busy worker
# every 4-5 s (a fork and a cold start each time); 50,000 about every 2 minutes at that rate.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "50000"))
max_requests_jitter = max_requests // 10
# Kubernetes probes (every few seconds per pod) must not count towards max_requests: they
# would recycle idle workers every few minutes, and busy ones about every 2 s under load.
PROBE_PATHS = ("/health/", "/ready/")


def pre_fork(server, worker):
    """Before each worker is forked from the preloaded master: everything loaded so far (Django,
    Wagtail, the project's modules: most of a worker's objects, and never freed) moves out of the
    garbage collector's view. A full collection then scans only what requests made, which took a
    student page's p99 from one 110 ms pause to 12-15 ms ones (issue 21), and the collector no
    longer writes to the shared pages, which stay shared between workers (copy-on-write)."""
    gc.freeze()


def pre_request(worker, req):
    """Gunicorn's hook before it counts a request: a probe is taken off the count in advance,
    so it never brings a worker to ``max_requests``."""
    worker.log.debug("%s %s", req.method, req.path)  # gunicorn's own default pre_request
    if req.path in PROBE_PATHS:
        worker.nr -= 1


# Django is loaded once in the master: workers fork ready to serve (the startup probe
# passes sooner), share its memory, and a broken setting stops the pod at boot.
preload_app = True

# The root filesystem is read-only in the cluster: the heartbeat file goes to
# /dev/shm (a tmpfs, so fchmod never blocks on disk) and nothing else is written.
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None  # noqa: S108
control_socket_disable = True
# The ingress controller is the only client; it sets X-Forwarded-Proto.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()


class JsonAccessLogger(Logger):
    """Writes one JSON object per request to stdout, like the application's own log lines.

    The fields are read straight from the request and response: gunicorn's ``atoms()`` builds a
    dict of every request header, response header and environ variable for each line; the access
    log was 40-50 us of the 0.6 ms of CPU of a page answered from the page cache (issue 21)."""

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        status = resp.status
        if isinstance(status, str):
            status = status.split(None, 1)[0]
        request_id = "-"
        headers = resp.headers.items() if hasattr(resp.headers, "items") else resp.headers  # as atoms()
        for name, value in headers:
            if name.lower() == "x-request-id":
                request_id = value
                break
        line = {
            "time": self.now().strip("[]"),
            "level": "INFO",
            "logger": "gunicorn.access",
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO"),
            "query": environ.get("QUERY_STRING"),
            "status": int(status),
            "bytes": getattr(resp, "sent", None),
            "duration_ms": request_time.seconds * 1000 + request_time.microseconds // 1000,
            "remote_addr": environ.get("REMOTE_ADDR", "-"),
            "user_agent": environ.get("HTTP_USER_AGENT", "-"),
            "request_id": request_id,
        }
        try:
            self.access_log.info(json.dumps(line))
        except Exception:  # a broken log line must never fail the request
            self.exception("Failed to write an access log line")


logger_class = JsonAccessLogger

# /metrics under several worker processes (portal/metrics.py): with PROMETHEUS_MULTIPROC_DIR
# set, each worker writes its metric values to files there and /metrics sums them. The
# folder must exist before the app (and prometheus_client) is loaded, and start empty: a
# restarted container keeps its emptyDir, and old files would count twice.
_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _metrics_dir:
    shutil.rmtree(_metrics_dir, ignore_errors=True)
    Path(_metrics_dir).mkdir(parents=True)


def child_exit(server, worker):
    """A finished worker's live gauges stop counting (its counters still add up)."""
    if _metrics_dir:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
