"""portal/probes.py: the exec probes of the Celery containers."""

import os
import subprocess
import sys
import time

from portal import probes
from tests.processes import BASE_DIR


def run_probe(check, tmp_path):
    return subprocess.run(
        [sys.executable, "portal/probes.py", check],
        cwd=BASE_DIR,
        env={"TMPDIR": str(tmp_path), "PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
    )


def test_worker_probes_fail_before_the_worker_has_written_anything(tmp_path):
    assert run_probe("worker-ready", tmp_path).returncode == 1
    assert run_probe("worker-alive", tmp_path).returncode == 1


def test_a_fresh_heartbeat_is_alive_and_a_stale_one_is_not(tmp_path):
    heartbeat = tmp_path / "ringlet-worker.heartbeat"
    heartbeat.touch()
    assert run_probe("worker-alive", tmp_path).stdout == "worker-alive: ok\n"
    old = time.time() - probes.STALE_AFTER_SECONDS - 1
    os.utime(heartbeat, (old, old))
    result = run_probe("worker-alive", tmp_path)
    assert (result.returncode, result.stdout) == (1, "worker-alive: failing\n")


def test_the_probe_script_loads_neither_django_nor_celery(tmp_path):
    code = (
        "import runpy, sys; sys.argv = ['probes', 'worker-ready']\n"
        "try:\n    runpy.run_path('portal/probes.py', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'celery', 'portal')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={"TMPDIR": str(tmp_path)},
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip().endswith("[]"), result.stdout + result.stderr


def test_beat_probe_reads_the_heartbeat_its_scheduler_writes(tmp_path):
    assert run_probe("beat-alive", tmp_path).returncode == 1
    heartbeat = tmp_path / "ringlet-beat.heartbeat"
    heartbeat.touch()
    assert run_probe("beat-alive", tmp_path).stdout == "beat-alive: ok\n"
    # A beat whose loop stopped ticking goes stale, though its process is still there.
    old = time.time() - probes.STALE_AFTER_SECONDS - 1
    os.utime(heartbeat, (old, old))
    assert run_probe("beat-alive", tmp_path).returncode == 1


def test_an_unknown_check_is_a_usage_error(tmp_path):
    result = run_probe("web-alive", tmp_path)
    assert result.returncode == 2
    assert "usage: python portal/probes.py" in result.stderr
