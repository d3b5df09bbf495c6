"""Draining a node that runs a media worker mid-encode (issue 26), as kustomize/README.md
documents it: `kubectl drain --grace-period=N` sends the pod SIGTERM (Celery's warm
shutdown: no new task, the running encode goes on) and SIGKILL N seconds later, instead of
the pod's own grace period of over 9 hours. The encode is not lost: its heartbeat stops
with the pod, and beat's sweep queues it again for a media worker on another node.

Beat's sweep: the media worker that takes over may well have started before the drain (or
during its grace period, as the Deployment replaces the evicted pod), when the encode's
heartbeat was fresh, so the sweep a worker runs at start-up rightly left it alone. The test
once ran no beat and hung whenever the other worker was ready within the heartbeat timeout
of the kill (issue 26); here the other worker is running before the drain, and beat alone
can bring the encode back.
"""

import os
import re
import signal
import time

import pytest
from django.conf import settings as django_settings

from media_library.models import Media
from media_library.tasks import encode, record_probe
from portal.celery import app as celery_app
from tests.deploy.manifests import KUSTOMIZE_DIR, get, pod_spec, render
from tests.media_fixtures import upload, wait_until_settled
from tests.media_library.test_worker_killed import HEARTBEAT_TIMEOUT, QUEUE, start_worker
from tests.processes import CELERY, Process, child_env, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# The drill's grace period, shortened for the test: what matters is that the pod goes
# after it, whatever the encode's length.
TEST_GRACE = 2
# Beat's sweep every few seconds instead of every minute (MEDIA_SWEEP_EVERY).
TEST_SWEEP_EVERY = 5


def start_beat(log):
    """Beat, as production runs it beside the workers: the media sweep goes to the test's queue."""
    return Process(
        [CELERY, "-A", "portal", "beat", "-l", "info", "--pidfile="],
        env=child_env(
            MEDIA_QUEUE=QUEUE, MEDIA_HEARTBEAT_TIMEOUT=HEARTBEAT_TIMEOUT, MEDIA_SWEEP_EVERY=TEST_SWEEP_EVERY
        ),
        log_path=log,
    )


def purge(queue):
    with celery_app.connection_for_write() as connection:
        connection.default_channel.queue_purge(queue)


def documented_drain():
    readme = (KUSTOMIZE_DIR / "README.md").read_text()
    section = readme.split("## Draining a node with a media worker mid-encode", 1)[1].split("\n## ", 1)[0]
    (command,) = re.findall(r"^kubectl drain .*$", section, flags=re.MULTILINE)
    return command


def test_the_documented_drain_bounds_the_wait_by_its_grace_period_not_the_encode():
    command = documented_drain()
    assert "--ignore-daemonsets" in command and "--delete-emptydir-data" in command
    grace = int(re.search(r"--grace-period=(\d+)", command).group(1))
    media = pod_spec(get(render("prod"), "Deployment", "ringlet-media-worker"))
    (container,) = media["containers"]
    pause = int(container["lifecycle"]["preStop"]["exec"]["command"][1])
    # Longer than the preStop pause (SIGTERM comes after it) and than web's and the
    # worker's own shutdowns (90 s, 420 s would be cut: the drill names the media worker's
    # node, and the default worker finishes within its limit), far below the media
    # worker's own grace period of over 9 hours.
    assert pause < grace <= 600 < media["terminationGracePeriodSeconds"] / 30
    # The encode killed at the end of it is queued again within a heartbeat timeout and a
    # sweep: minutes, not hours.
    sweep_every = django_settings.CELERY_BEAT_SCHEDULE["media-sweep-stuck"]["schedule"]
    assert sweep_every == django_settings.MEDIA_SWEEP_EVERY <= 60
    assert grace + django_settings.MEDIA_HEARTBEAT_TIMEOUT + sweep_every < 15 * 60


def test_a_node_drained_mid_encode_lets_the_pod_go_after_the_grace_period_and_the_encode_finishes_elsewhere(
    long_clip, tmp_path, settings
):
    settings.MEDIA_HEARTBEAT_TIMEOUT = HEARTBEAT_TIMEOUT  # as the workers see it
    media = upload(long_clip, enqueue=False)
    record_probe(media)
    draining = start_worker("draining", tmp_path / "draining.log")
    other = beat = None
    try:
        beat = start_beat(tmp_path / "beat.log")  # beat runs all along, on some other node
        encode.apply_async((media.pk, media.file.name), queue=QUEUE)

        def early_in_the_encode():
            media.refresh_from_db()
            return media.status == Media.Status.PROCESSING and 0 < media.progress < 40

        wait_for(early_in_the_encode, timeout=60, interval=0.1, message="the encode to be under way")
        # A media worker on another node, idle: its start-up sweep finds the encode alive.
        other = start_worker("elsewhere", tmp_path / "elsewhere.log")
        # The eviction: SIGTERM to the container's main process (Celery), then SIGKILL to
        # everything left in the pod once the drain's grace period is over.
        evicted = time.monotonic()
        os.kill(draining.popen.pid, signal.SIGTERM)
        time.sleep(TEST_GRACE)
        media.refresh_from_db()
        still_encoding = media.status == Media.Status.PROCESSING
        os.killpg(draining.popen.pid, signal.SIGKILL)
        draining.popen.wait(10)
        gone = time.monotonic() - evicted
        # Warm shutdown took no new task and kept encoding until the kill.
        assert "warm shutdown" in draining.output().lower()

        # Beat's sweep finds the encode without a heartbeat. The limit allows for a whole
        # re-encode on a loaded 2-core machine (over 120 s in full-suite runs beside other
        # jobs): still minutes, not the old 9 hours.
        media = wait_until_settled(media, timeout=300)
    finally:
        for process in (draining, other, beat):
            if process:
                process.stop()
        purge(QUEUE)  # beat's sweeps not run yet

    assert still_encoding, "the encode finished within the grace period: nothing was drained"
    assert gone < TEST_GRACE + 5  # the pod went after the grace period, not the encode
    assert media.status == Media.Status.READY, (media.error, other.output())
    assert "Sending due task media-sweep-stuck" in beat.output()
    # A sweep on the other worker queued the drained item again, and that worker encoded it.
    log = other.output()
    assert re.search(rf"sweep_stuck_media\[[^\]]+\] succeeded in [\d.]+s: \[{media.pk}\]", log), log
    assert "Task media_library.tasks.encode[" in log  # not only in the task list it starts with
    assert {r.label for r in media.live_renditions()} == {"360p", "720p", "master", "thumbnails"}
