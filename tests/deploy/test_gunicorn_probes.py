"""Probe requests do not count towards gunicorn's max_requests (gunicorn.conf.py's pre_request)."""

import os
import urllib.request

from tests.processes import BASE_DIR, Process, free_port, wait_for


def pid_at(port, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
        return response.read().decode()


def test_probes_never_recycle_a_worker_and_other_requests_do(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_MAX_REQUESTS": "5",
    }
    gunicorn = str(BASE_DIR / ".venv" / "bin" / "gunicorn")
    server = Process(
        [gunicorn, "--config", "gunicorn.conf.py", "--worker-class", "sync", "tests.deploy.pid_app:app"],
        env=env,
        log_path=tmp_path / "gunicorn.log",
    )
    try:
        wait_for(lambda: _answers(port), timeout=30, message="gunicorn to answer")
        first = pid_at(port, "/health/")
        assert {pid_at(port, path) for path in ["/health/", "/ready/"] * 10} == {first}
        pids = [pid_at(port, "/page/") for _ in range(8)]
        assert len(set(pids)) > 1, server.output()  # recycled after 5 counted requests
    finally:
        server.stop()


def _answers(port):
    try:
        pid_at(port, "/health/")
        return True
    except OSError:
        return False


def test_workers_start_with_the_preloaded_objects_out_of_the_collectors_view(tmp_path):
    port = free_port()
    env = {**os.environ, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1"}
    gunicorn = str(BASE_DIR / ".venv" / "bin" / "gunicorn")
    server = Process(
        [gunicorn, "--config", "gunicorn.conf.py", "tests.deploy.pid_app:frozen_app"],
        env=env,
        log_path=tmp_path / "gunicorn.log",
    )
    try:
        wait_for(lambda: _answers(port), timeout=30, message="gunicorn to answer")
        # gc.freeze() in pre_fork: what the master loaded is never scanned by a full collection.
        assert int(pid_at(port, "/")) > 1000, server.output()
    finally:
        server.stop()
