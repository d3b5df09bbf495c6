"""`make run`'s embedded mode: SQLite, the filesystem broker, and web, workers and beat from the Procfile."""

import os
import signal
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.processes import Process, free_port, run_manage, run_python, wait_for

VENV_BIN = str(Path(sys.executable).parent)
SEND_TASK = """
import django
django.setup()
from portal.tasks import clear_expired_sessions
print("RESULT", clear_expired_sessions.delay().get(timeout=100))
"""


def embedded_env(var_dir, port):
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "MEDIA_ROOT"}}
    for name in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.dev",
        VAR_DIR=str(var_dir),
        WEB_PORT=str(port),
        DEMO_ADMIN_PASSWORD="embedded-demo-password",
        PATH=f"{VENV_BIN}:{env['PATH']}",
        PYTHONUNBUFFERED="1",
    )
    return env


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback only)
            return response.status, response.read().decode()
    except OSError:
        return None, ""


@pytest.mark.slow
def test_embedded_mode_serves_the_portal_and_runs_tasks_without_any_server(tmp_path):
    port = free_port()
    env = embedded_env(tmp_path / "var", port)
    migrated = run_manage("migrate", "--no-input", "-v0", env=env)
    assert migrated.returncode == 0, migrated.stderr
    prepared = run_manage("demo_content", env=env)
    assert prepared.returncode == 0, prepared.stderr
    assert "password: embedded-demo-password" in prepared.stdout
    assert (tmp_path / "var" / "db.sqlite3").exists()

    honcho = Process([f"{VENV_BIN}/honcho", "start", "-f", "Procfile"], env, tmp_path / "honcho.log")
    try:
        wait_for(lambda: get(f"http://127.0.0.1:{port}/")[0] == 200, timeout=60, message="the web process")
        assert "<h1>Ringlet</h1>" in get(f"http://127.0.0.1:{port}/")[1]
        status, body = get(f"http://127.0.0.1:{port}/ready/")
        assert status == 200, body
        wait_for(
            lambda: "worker@" in honcho.output() and honcho.output().count(" ready.") >= 2,
            timeout=60,
            message="both workers",
        )
        # The media worker transcodes the demo's lectures meanwhile; this task goes to the
        # other worker, so it does not wait behind them.
        sent = run_python(SEND_TASK, env, timeout=120)
        assert sent.returncode == 0, sent.stderr + honcho.output()
        assert "RESULT 0" in sent.stdout
        assert "beat: Starting..." in honcho.output()
        assert (tmp_path / "var" / "broker" / "queue").is_dir()
    finally:
        # Ctrl-C in a terminal: honcho stops all four processes.
        os.killpg(honcho.popen.pid, signal.SIGINT)
        honcho.popen.wait(30)
        honcho.stop()
    assert get(f"http://127.0.0.1:{port}/")[0] is None
