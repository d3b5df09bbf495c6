"""A real Learning Record Store (Ralph, from its own venv) and a Celery worker that sends to it."""

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings

from tests.processes import BASE_DIR, CELERY, Process, child_env, free_port, wait_for

RALPH_VENV = BASE_DIR / ".venv-ralph"
USER, PASSWORD = "ringlet", "lrs-secret"


class Ralph:
    """Ralph's LRS API (``ralph_server.py``) with its filesystem backend: statements are JSON lines
    under ``root/data``, so a restart finds every statement stored before it."""

    def __init__(self, root):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.process = None
        self.env = {
            **os.environ,
            "RALPH_APP_DIR": str(self.root),
            "RALPH_AUTH_FILE": str(self.root / "auth.json"),
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(self.root / "data"),
        }

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/xAPI"

    def create_user(self):
        done = subprocess.run(
            [RALPH_VENV / "bin" / "ralph", "auth", "-u", USER, "-p", PASSWORD, "-s", "all", "-M",
             "mailto:lrs@example.com", "-w"],
            env=self.env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr

    def start(self):
        (self.root / "data").mkdir(exist_ok=True)
        args = [
            str(RALPH_VENV / "bin" / "python"),
            str(Path(__file__).with_name("ralph_server.py")),
            str(self.port),
        ]
        self.process = Process(args, env=self.env, log_path=self.root / f"ralph-{time.time():.0f}.log")
        wait_for(self.answers, timeout=60, message=f"Ralph on port {self.port}")

    def answers(self):
        try:
            return requests.get(f"http://127.0.0.1:{self.port}/__heartbeat__", timeout=1).ok
        except requests.RequestException:
            return False

    def stop(self):
        if self.process is not None:
            if self.process.popen.poll() is None:
                os.killpg(self.process.popen.pid, signal.SIGTERM)
            self.process.stop()
            self.process = None

    def statements(self):
        """Every statement the LRS holds (xAPI GET /statements, following ``more``)."""
        found, url = [], f"{self.url}/statements?limit=500"
        while url:
            response = requests.get(
                url, auth=(USER, PASSWORD), headers={"X-Experience-API-Version": "1.0.3"}, timeout=10
            )
            response.raise_for_status()
            body = response.json()
            found += body["statements"]
            more = body.get("more")
            url = f"http://127.0.0.1:{self.port}{more}" if more else None
        return found


@pytest.fixture(scope="session")
def ralph_venv():
    """Ralph's venv, made by scripts/ralph-venv.sh (``make test`` runs it first)."""
    subprocess.run([str(BASE_DIR / "scripts" / "ralph-venv.sh")], check=True, timeout=600)
    return RALPH_VENV


@pytest.fixture
def lrs(ralph_venv, tmp_path, settings):
    server = Ralph(tmp_path / "ralph")
    server.create_user()
    server.start()
    settings.XAPI_LRS_URL = server.url
    settings.XAPI_LRS_USERNAME, settings.XAPI_LRS_PASSWORD = USER, PASSWORD
    settings.XAPI_QUEUE = f"xapi-test-{os.getpid()}"
    yield server
    server.stop()


@pytest.fixture
def xapi_worker(lrs, django_db_blocker, celery_app, tmp_path):
    """A Celery worker of its own, on a queue of its own, whose settings name the test's LRS."""
    with django_db_blocker.unblock():
        env = child_env(
            XAPI_LRS_URL=lrs.url,
            XAPI_LRS_USERNAME=USER,
            XAPI_LRS_PASSWORD=PASSWORD,
            XAPI_QUEUE=settings.XAPI_QUEUE,
        )
    worker = Process(
        [CELERY, "-A", "portal", "worker", "-Q", settings.XAPI_QUEUE, "-c", "1", "-l", "info",
         "-n", f"{settings.XAPI_QUEUE}@%h", "--without-mingle", "--without-gossip"],
        env=env, log_path=tmp_path / "xapi-worker.log",
    )  # fmt: skip

    def answers():
        replies = (
            worker.popen.poll() is None
            and celery_app.control.inspect(
                destination=[f"{settings.XAPI_QUEUE}@{os.uname().nodename}"], timeout=1
            ).ping()
        )
        return bool(replies)

    try:
        wait_for(answers, timeout=60, message="the xAPI worker to answer a ping")
    except AssertionError:
        worker.stop()
        raise AssertionError(worker.output()) from None
    yield worker
    worker.stop()
