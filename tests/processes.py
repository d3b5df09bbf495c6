"""Helpers for tests that start real processes (Python, Celery, servers)."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
PYTHON = sys.executable
CELERY = str(Path(sys.executable).with_name("celery"))


def database_url(db=None):
    """A DATABASE_URL for the database the tests use (the test database once it exists)."""
    db = db or settings.DATABASES["default"]
    engine = db["ENGINE"]
    if engine.endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def child_env(**overrides):
    """The environment for a child process: the test settings against the test database."""
    env = dict(os.environ)
    # Set for in-process browser tests only; a child must keep Django's async safety
    # (and `check --deploy` rightly refuses it).
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.test",
        DATABASE_URL=database_url(),
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        PYTHONUNBUFFERED="1",
    )
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = str(value)
    return env


def run_python(code, env, timeout=120):
    """Run ``code`` in a fresh interpreter from the project root; return the CompletedProcess."""
    return subprocess.run(
        [PYTHON, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=timeout
    )


def run_manage(*args, env, timeout=300):
    """Run ``manage.py <args>`` in a fresh interpreter with ``env``; return the CompletedProcess."""
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=timeout
    )


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout=30.0, interval=0.25, message="condition"):
    """Poll ``predicate`` until it returns a truthy value; fail with ``message`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")


class Process:
    """A child process whose combined output goes to a log file the test can read."""

    def __init__(self, args, env, log_path, cwd=BASE_DIR):
        self.log_path = Path(log_path)
        self._log = self.log_path.open("w")
        self.popen = subprocess.Popen(
            args, cwd=cwd, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def output(self):
        return self.log_path.read_text(errors="replace")

    def stop(self, timeout=20):
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)
        self._log.close()

    def kill(self):
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait(10)


class RedisServer:
    """A redis-server of the test's own on a free port, for tests that stop and restart Redis.

    Its data is kept in an append-only file under ``data_dir``, so a restart brings back what
    was there before, as a production Redis with persistence would (stale copies included).
    """

    def __init__(self, data_dir, extra_args=()):
        self.port = free_port()
        self.extra_args = list(extra_args)  # more redis-server options
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}"

    def start(self):
        args = ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.data_dir)]
        args += ["--save", "", "--appendonly", "yes", "--appendfsync", "always", *self.extra_args]
        self.process = Process(args, env=dict(os.environ), log_path=self.data_dir / "redis.log")
        wait_for(self.answers, timeout=15, message=f"redis-server on port {self.port}")

    def answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self):
        if self.process is not None:
            self.process.stop()
            self.process = None


class Terminal:
    """A command run in a pseudo-terminal of its own, as in a shell window: its output is kept,
    and ``ctrl_c()`` presses Ctrl-C (the terminal signals its foreground process group)."""

    def __init__(self, args, env, cwd=BASE_DIR):
        import fcntl
        import pty
        import termios
        import threading

        self._master, slave = pty.openpty()

        def controlling_terminal():
            # A new session (start_new_session) takes the pty as its controlling terminal.
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.popen = subprocess.Popen(
            args, cwd=cwd, env=env, stdin=slave, stdout=slave, stderr=slave,
            start_new_session=True, preexec_fn=controlling_terminal,
        )  # fmt: skip
        os.close(slave)
        self._output = bytearray()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        while True:
            try:
                data = os.read(self._master, 65536)
            except OSError:  # the terminal closed: every process using it has exited
                return
            if not data:
                return
            self._output += data

    def output(self):
        return self._output.decode(errors="replace")

    def ctrl_c(self):
        os.write(self._master, b"\x03")

    def wait(self, timeout):
        """The command's exit status once it has exited (and its output has been read)."""
        status = self.popen.wait(timeout)
        self._reader.join(10)
        return status

    def stop(self):
        """Kill whatever is left (a failed test), and close the terminal."""
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, 9)
            self.popen.wait(10)
        os.close(self._master)
