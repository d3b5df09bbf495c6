"""The default-queue worker's concurrency, chosen by measurement (issue 26).

`scripts/test.sh bench/bench_worker_concurrency.py -s -p no:logging -q`

A real `celery worker` process with the manifests' flags (prefork, --max-tasks-per-child,
no mingle or gossip) and production settings issues N certificates (the heaviest task of
the default queue: a ReportLab PDF with a QR code, stored, then emailed) to a local SMTP
server that answers each message after SMTP_DELAY seconds, as a relay across a network
does. For each concurrency it prints the wall time until every certificate is emailed and
the worker's memory (main process and children, PSS and RSS) idle and afterwards; append the
table to bench/RESULTS.md.
"""

import os
import socketserver
import threading
import time
from pathlib import Path

import pytest
from django.utils import timezone

from courses.models import Certificate, Enrollment
from tests.factories import UserFactory
from tests.processes import CELERY, Process, child_env, free_port, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

N = 24
SMTP_DELAY = 0.25
CONCURRENCIES = (1, 2, 4)
QUEUE = "bench-concurrency"


class SlowSMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP to accept a message, answering DATA after SMTP_DELAY seconds."""

    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self.reply("220 bench ESMTP")
        while line := self.rfile.readline():
            command = line.decode(errors="replace").strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.reply("250 bench")
            elif command == "DATA":
                self.reply("354 go on")
                while self.rfile.readline() not in (b".\r\n", b".\n", b""):
                    pass
                time.sleep(SMTP_DELAY)
                self.reply("250 queued")
            elif command == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


class SMTPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def memory_kib(pid):
    """``(rss, pss)`` of a process and its children, in KiB: RSS counts the pages the
    prefork children share with the main process once per process; PSS shares them out,
    so its sum is what the pod's memory limit sees."""
    rss = pss = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for each in pids:
        for line in Path(f"/proc/{each}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss += int(line.split()[1])
            elif line.startswith("Pss:"):
                pss += int(line.split()[1])
    return rss, pss


def test_default_worker_concurrency(course, tmp_path, settings):
    from courses.tasks import issue_certificate

    port = free_port()
    smtp = SMTPServer(("127.0.0.1", port), SlowSMTPHandler)
    threading.Thread(target=smtp.serve_forever, daemon=True).start()
    rows = []
    try:
        for concurrency in CONCURRENCIES:
            Certificate.objects.all().delete()
            users = [UserFactory() for _ in range(N)]
            for user in users:
                Enrollment.objects.create(user=user, course=course, completed_at=timezone.now())
            env = child_env(
                DJANGO_SETTINGS_MODULE="portal.settings.production",
                SECRET_KEY="bench-only-" + "x" * 40,
                ALLOWED_HOSTS="localhost",
                EMAIL_URL=f"smtp://127.0.0.1:{port}",
                MEDIA_ROOT=tmp_path / f"media-{concurrency}",
                STATIC_ROOT=tmp_path / "static",
                LOG_LEVEL="WARNING",
            )
            worker = Process(
                [CELERY, "--app=portal", "worker", f"--queues={QUEUE}", f"--concurrency={concurrency}"]
                + ["--loglevel=INFO", "--without-mingle", "--without-gossip", "--max-tasks-per-child=500"]
                + [f"--hostname=bench{concurrency}@%h"],
                env=env,
                log_path=tmp_path / f"worker-{concurrency}.log",
            )
            try:
                wait_for(lambda w=worker: " ready." in w.output(), timeout=60, message="the worker")
                idle = memory_kib(worker.popen.pid)
                started = time.monotonic()
                for user in users:
                    issue_certificate.apply_async((user.pk, course.pk), queue=QUEUE)
                wait_for(
                    lambda: Certificate.objects.filter(emailed_at__isnull=False).count() == N,
                    timeout=600,
                    interval=0.2,
                    message="every certificate emailed",
                )
                seconds = time.monotonic() - started
                busy = memory_kib(worker.popen.pid)
            finally:
                worker.stop()
            rows.append((concurrency, seconds, idle, busy))
            Enrollment.objects.filter(user__in=users).delete()
    finally:
        smtp.shutdown()
    print(f"\n{N} certificates, SMTP answering after {SMTP_DELAY} s, load average {os.getloadavg()[0]:.1f}")
    columns = ["--concurrency", "wall time (s)", "certificates/s", "PSS idle (MiB)", "PSS after (MiB)"]
    print("| " + " | ".join([*columns, "RSS after (MiB)"]) + " |")
    print("|---|---|---|---|---|---|")
    for concurrency, seconds, idle, busy in rows:
        print(
            f"| {concurrency} | {seconds:.1f} | {N / seconds:.2f} | {idle[1] / 1024:.0f} "
            f"| {busy[1] / 1024:.0f} | {busy[0] / 1024:.0f} |"
        )
    assert all(seconds > 0 for _, seconds, _, _ in rows)
