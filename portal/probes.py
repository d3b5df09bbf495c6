"""Exec probes for the Celery containers, cheap enough to run every few seconds.

A worker touches a heartbeat file from its own event loop (the bootstep below), so
the file goes stale when the main loop hangs, while a long FFmpeg encode in a
child process keeps it fresh. The probe reads the file's age and imports neither
Django nor Celery. Beat writes nothing (its schedule is in the database), so its
probe checks that the beat process is there and not a zombie.

    python portal/probes.py worker-ready   # the worker finished starting
    python portal/probes.py worker-alive   # its heartbeat is fresh
    python portal/probes.py beat-alive     # a celery beat process runs

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


def worker_ready():
    return ready_file().exists()


def worker_alive(now=None):
    try:
        age = (now or time.time()) - heartbeat_file().stat().st_mtime
    except FileNotFoundError:
        return False
    return age < STALE_AFTER_SECONDS


def beat_alive(proc=Path("/proc")):
    for cmdline in proc.glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
            state = (cmdline.parent / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:  # the process ended while we looked
            continue
        if b"beat" in args and any(arg.endswith(b"celery") for arg in args) and state not in "ZXT":
            return True
    return False


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
