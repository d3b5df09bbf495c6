"""Exec probes for the Celery containers, cheap enough to run every few seconds.

A worker touches a heartbeat file from its own event loop (the bootstep below), so
the file goes stale when the main loop hangs, while a long FFmpeg encode in a
child process keeps it fresh. The probe reads the file's age and imports neither
Django nor Celery. Beat touches its own heartbeat file on every tick of its
scheduler (``portal/beat_scheduler.py``), so a beat whose loop hangs shows too.

    python portal/probes.py worker-ready   # the worker finished starting
    python portal/probes.py worker-alive   # its heartbeat is fresh
    python portal/probes.py beat-alive     # beat's heartbeat is fresh

It is run as a script, not with ``-m``, so that the ``portal`` package (which loads
the Celery app) is not imported: a probe costs a few milliseconds of CPU.

Files go to the temporary directory (``TMPDIR``, else /tmp: an emptyDir in the
cluster, since the root filesystem is read-only).
"""

import sys
import tempfile
import time
from pathlib import Path

HEARTBEAT_SECONDS = 10
STALE_AFTER_SECONDS = 60


def ready_file():
    return Path(tempfile.gettempdir()) / "ringlet-worker.ready"


def heartbeat_file():
    return Path(tempfile.gettempdir()) / "ringlet-worker.heartbeat"


def beat_heartbeat_file():
    return Path(tempfile.gettempdir()) / "ringlet-beat.heartbeat"


def worker_ready():
    return ready_file().exists()


def fresh(path, now=None):
    """Was ``path`` touched less than STALE_AFTER_SECONDS ago?"""
    try:
        age = (now or time.time()) - path.stat().st_mtime
    except FileNotFoundError:
        return False
    return age < STALE_AFTER_SECONDS


def worker_alive(now=None):
    return fresh(heartbeat_file(), now)


def beat_alive(now=None):
    # DatabaseScheduler ticks at least every 5 s, well inside STALE_AFTER_SECONDS.
    return fresh(beat_heartbeat_file(), now)


CHECKS = {"worker-ready": worker_ready, "worker-alive": worker_alive, "beat-alive": beat_alive}


def main(argv):
    if len(argv) != 1 or argv[0] not in CHECKS:
        print(f"usage: python portal/probes.py {{{','.join(CHECKS)}}}", file=sys.stderr)
        return 2
    ok = CHECKS[argv[0]]()
    print(f"{argv[0]}: {'ok' if ok else 'failing'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
