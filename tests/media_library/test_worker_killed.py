"""A media worker killed with SIGKILL in the middle of an encode: the task comes back and completes."""

import glob
import os
import signal
import time

import pytest
from django.core.files.storage import default_storage

from media_library.models import Media
from media_library.tasks import encode, record_probe, temp_root
from tests.media_fixtures import upload, wait_until_settled
from tests.processes import CELERY, Process, child_env, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Its own queue, so the session's shared worker never takes this test's task.
QUEUE = "media-kill-test"
# Redis hands an unacknowledged task to another worker after this long; production
# uses hours (longer than any encode), the test a few seconds.
VISIBILITY_TIMEOUT = 3


def start_worker(name, log):
    worker = Process(
        [CELERY, "-A", "portal", "worker", "-Q", QUEUE, "-c", "1", "-l", "info", "-n", f"{name}@%h"]
        + ["--without-mingle", "--without-gossip"],
        env=child_env(CELERY_VISIBILITY_TIMEOUT=VISIBILITY_TIMEOUT),
        log_path=log,
    )
    wait_for(lambda: " ready." in worker.output(), timeout=60, message=f"worker {name} to start")
    return worker


def test_a_worker_killed_during_an_encode_gets_replaced_and_the_item_completes_without_orphans(
    long_clip, tmp_path
):
    media = upload(long_clip, enqueue=False)
    record_probe(media)
    first = start_worker("doomed", tmp_path / "first.log")
    second = None
    try:
        encode.apply_async((media.pk, media.file.name), queue=QUEUE)

        def mid_encode():
            media.refresh_from_db()
            return media.status == Media.Status.PROCESSING and 0 < media.progress < 80

        wait_for(mid_encode, timeout=60, interval=0.1, message="the encode to be under way")
        os.killpg(first.popen.pid, signal.SIGKILL)  # the worker, its pool child and FFmpeg
        first.popen.wait(10)
        killed_at = media.progress
        assert glob.glob(os.path.join(temp_root(), f"{media.pk}-*")), "the killed encode left its work behind"

        time.sleep(VISIBILITY_TIMEOUT + 0.5)
        second = start_worker("survivor", tmp_path / "second.log")
        media = wait_until_settled(media, timeout=120)
    finally:
        first.stop()
        if second:
            second.stop()

    assert media.status == Media.Status.READY, (media.error, second.output() if second else "")
    assert 0 < killed_at < 100
    assert "media_library.tasks.encode" in second.output()
    # No orphans: only the live version in storage and in the database, no temp dirs.
    assert default_storage.listdir(media.media_root_prefix())[0] == [media.version]
    assert set(media.renditions.values_list("version", flat=True)) == {media.version}
    assert not glob.glob(os.path.join(temp_root(), f"{media.pk}-*"))
    assert {r.label for r in media.live_renditions()} == {"360p", "720p", "master"}
