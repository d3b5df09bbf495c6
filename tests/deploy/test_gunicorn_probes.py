"""gunicorn.conf.py's hooks with a real gunicorn: probes not counted towards max_requests, the
collector freeze before fork, the JSON access log, new connections left to a worker with a free
thread."""

import concurrent.futures
import contextlib
import http.client
import json
import os
import re
import threading
import time
import urllib.request

from tests.processes import BASE_DIR, Process, free_port, wait_for


def pid_at(port, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
        return response.read().decode()


@contextlib.contextmanager
def gunicorn(tmp_path, app, *args, **env):
    """A real gunicorn with gunicorn.conf.py serving ``app``, one worker unless ``env`` says
    otherwise: (port, process)."""
    port = free_port()
    environ = {**os.environ, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1", **env}
    server = Process(
        [str(BASE_DIR / ".venv" / "bin" / "gunicorn"), "--config", "gunicorn.conf.py", *args, app],
        env=environ,
        log_path=tmp_path / "gunicorn.log",
    )
    try:
        wait_for(lambda: _answers(port), timeout=30, message="gunicorn to answer")
        yield port, server
    finally:
        server.stop()


def _answers(port):
    try:
        pid_at(port, "/health/")
        return True
    except OSError:
        return False


def test_probes_never_recycle_a_worker_and_other_requests_do(tmp_path):
    app = "tests.deploy.pid_app:app"
    with gunicorn(tmp_path, app, "--worker-class", "sync", GUNICORN_MAX_REQUESTS="5") as (port, server):
        first = pid_at(port, "/health/")
        assert {pid_at(port, path) for path in ["/health/", "/ready/"] * 10} == {first}
        pids = [pid_at(port, "/page/") for _ in range(8)]
        assert len(set(pids)) > 1, server.output()  # recycled after 5 counted requests


def test_workers_start_with_the_preloaded_objects_out_of_the_collectors_view(tmp_path):
    with gunicorn(tmp_path, "tests.deploy.pid_app:frozen_app") as (port, server):
        # gc.freeze() in pre_fork: what the master loaded is never scanned by a full collection.
        assert int(pid_at(port, "/")) > 1000, server.output()


def test_each_request_writes_one_json_access_log_line_with_its_status_size_and_request_id(tmp_path):
    with gunicorn(tmp_path, "tests.deploy.pid_app:request_id_app") as (port, server):
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/courses/?q=python", headers={"User-Agent": "ringlet-test"}
        )
        assert urllib.request.urlopen(request, timeout=5).read() == b"made"  # noqa: S310
        lines = wait_for(
            lambda: [
                line
                for line in map(_json_or_none, server.output().splitlines())
                if line and line.get("path") == "/courses/"
            ],
            timeout=10,
            message="the access log line",
        )
    line = lines[0]
    assert line["logger"] == "gunicorn.access" and line["level"] == "INFO"
    assert (line["method"], line["query"], line["status"], line["bytes"]) == ("GET", "q=python", 201, 4)
    assert (line["request_id"], line["user_agent"]) == ("req-4242", "ringlet-test")
    assert line["remote_addr"] == "127.0.0.1"
    assert isinstance(line["duration_ms"], int) and line["duration_ms"] >= 0
    assert re.fullmatch(r"\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}", line["time"]), line


def _json_or_none(text):
    try:
        return json.loads(text)
    except ValueError:
        return None


def test_a_worker_with_every_thread_busy_leaves_new_connections_to_a_free_worker(tmp_path):
    app = "tests.deploy.pid_app:hold_app"
    with (
        gunicorn(tmp_path, app, WEB_CONCURRENCY="2", GUNICORN_THREADS="1") as (port, server),
        concurrent.futures.ThreadPoolExecutor(1) as pool,
    ):
        held = pool.submit(pid_at, port, "/?hold=4")
        time.sleep(0.5)  # the held request is in one worker's only thread
        # Each on a new connection. Stock gthread workers both poll the socket, and the busy
        # one (its main thread idle) took about half: those waited for the held request.
        started = time.monotonic()
        quick = {pid_at(port, "/") for _ in range(12)}
        waited = time.monotonic() - started
        busy = held.result(timeout=10)
    assert len(quick) == 1 and busy not in quick, (busy, quick, server.output())
    assert waited < 3, waited


def test_new_connections_still_get_in_while_kept_alive_clients_keep_every_thread_busy(tmp_path):
    app = "tests.deploy.pid_app:hold_app"
    with gunicorn(tmp_path, app, GUNICORN_THREADS="2") as (port, server):
        stop = threading.Event()

        def keep_alive_client():
            # Five such clients and two threads: a request of theirs always waits in the worker.
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            while not stop.is_set():
                connection.request("GET", "/?hold=0.005")
                connection.getresponse().read()
            connection.close()

        with concurrent.futures.ThreadPoolExecutor(5) as pool:
            clients = [pool.submit(keep_alive_client) for _ in range(5)]
            try:
                time.sleep(0.5)
                answered = [pid_at(port, "/") for _ in range(5)]  # new connections, urlopen's 5 s
            finally:
                stop.set()
            for client in clients:
                client.result(timeout=10)
    assert len(answered) == 5 and all(pid.isdigit() for pid in answered), server.output()
