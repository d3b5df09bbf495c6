"""`make run`'s embedded mode: SQLite, the filesystem broker, and web, workers and beat from the
Procfile, in a terminal, quiet while nothing is wrong and stopped cleanly by Ctrl-C."""

import os
import re
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.processes import Terminal, free_port, run_python, wait_for

VENV_BIN = str(Path(sys.executable).parent)
SEND_TASK = """
import django
django.setup()
from portal.tasks import clear_expired_sessions
print("RESULT", clear_expired_sessions.delay().get(timeout=100))
"""


MEDIA_PENDING = """
import django
django.setup()
from media_library.models import Media
print("PENDING", Media.objects.exclude(status__in=["ready", "failed"]).count())
"""


def media_pending(env):
    out = run_python(MEDIA_PENDING, env, timeout=60).stdout
    return int(out.split("PENDING", 1)[1]) if "PENDING" in out else -1


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


# The suite's venv and node_modules are installed already (by `make test`): these stamps keep
# `make run` from installing anything into them.
MAKE_RUN = [
    "make",
    "--no-print-directory",
    "-o",
    ".venv/.installed-run",
    "-o",
    "node_modules/.installed-run",
    "run",
]
# What a quiet run never prints: errors, a forced kill, make interrupted, npm's and Celery's
# warnings about nothing that is wrong.
ALARMING = re.compile(
    r"ERROR|CRITICAL|Traceback|SIGKILL|make: \*\*\*|Interrupt|npm (?:warn|WARN)|No hostname was supplied"
    r"|superuser privileges|This is a development server"
)


@pytest.mark.slow
def test_make_run_serves_the_portal_runs_tasks_without_any_server_and_stops_cleanly_on_ctrl_c(tmp_path):
    port = free_port()
    env = embedded_env(tmp_path / "var", port)
    run = Terminal(MAKE_RUN, env)
    try:
        wait_for(
            lambda: get(f"http://127.0.0.1:{port}/")[0] == 200 or run.popen.poll() is not None,
            timeout=400,
            message="make run to serve the home page",
        )
        assert run.popen.poll() is None, run.output()
        assert "password: embedded-demo-password" in run.output()
        assert f"Admin: http://127.0.0.1:{port}/admin/" in run.output()
        assert (tmp_path / "var" / "db.sqlite3").exists()
        assert "<h1>Ringlet</h1>" in get(f"http://127.0.0.1:{port}/")[1]
        status, body = get(f"http://127.0.0.1:{port}/ready/")
        assert status == 200, body
        wait_for(
            lambda: "worker@" in run.output() and run.output().count(" ready.") >= 2,
            timeout=60,
            message="both workers",
        )
        # The media worker transcodes the demo's lectures meanwhile; this task goes to the
        # other worker, so it does not wait behind them.
        sent = run_python(SEND_TASK, env, timeout=120)
        assert sent.returncode == 0, sent.stderr + run.output()
        assert "RESULT 0" in sent.stdout
        assert "beat: Starting..." in run.output()
        assert (tmp_path / "var" / "broker" / "queue").is_dir()

        # Ctrl-C in the terminal once the demo's lectures are transcoded: every process stops by
        # itself, and make with it, exit 0. (Mid-encode, the media worker gets STOP_WAIT seconds
        # to finish its task before it is killed, and the exit status says so: scripts/run.py.)
        wait_for(lambda: media_pending(env) == 0, timeout=300, message="the demo's lectures to be transcoded")
        run.ctrl_c()
        assert run.wait(90) == 0, run.output()
    finally:
        run.stop()
    assert get(f"http://127.0.0.1:{port}/")[0] is None
    assert "SIGINT received" in run.output()
    alarming = [line for line in run.output().splitlines() if ALARMING.search(line)]
    assert alarming == [], "\n".join(alarming)
