"""A media worker busy with an encode leaves the next item in the queue for another worker.

The media tasks are acknowledged when they start, so the prefetch window (one message per
process) is free again during an encode: without ``worker_disable_prefetch`` the busy
worker fetched the next message at once and held it until its encode ended (hours for a
lecture), out of the queue where an idle worker (or KEDA, which counts the queue) would
see it; drained or killed meanwhile, it took the message with it.
"""

import pytest

from media_library.models import Media
from media_library.tasks import encode, record_probe, transcode
from tests.media_fixtures import upload, wait_until_settled
from tests.media_library.test_worker_killed import HEARTBEAT_TIMEOUT, QUEUE, start_worker
from tests.processes import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_busy_media_worker_leaves_the_next_item_for_an_idle_worker(long_clip, clips, tmp_path, settings):
    settings.MEDIA_HEARTBEAT_TIMEOUT = HEARTBEAT_TIMEOUT  # as the workers see it
    lecture = upload(long_clip, title="long lecture", enqueue=False)
    record_probe(lecture)
    clip = upload(clips / "sd.mp4", title="short clip", enqueue=False)
    busy = start_worker("busy", tmp_path / "busy.log")
    idle = None
    try:
        encode.apply_async((lecture.pk, lecture.file.name), queue=QUEUE)

        def early_in_the_encode():
            lecture.refresh_from_db()
            return lecture.status == Media.Status.PROCESSING and 0 < lecture.progress < 40

        wait_for(early_in_the_encode, timeout=60, interval=0.1, message="the long encode to be under way")
        transcode.apply_async((clip.pk,), queue=QUEUE)
        # Another worker comes up (KEDA scales on the queue's length) and takes the clip.
        idle = start_worker("idle", tmp_path / "idle.log")
        clip = wait_until_settled(clip, timeout=120)
        lecture.refresh_from_db()
    finally:
        busy.stop()
        if idle:
            idle.stop()

    assert clip.status == Media.Status.READY, (clip.error, idle.output() if idle else "")
    assert lecture.status == Media.Status.PROCESSING  # the busy worker was still encoding it
    # (A worker's log lists every task it knows at start-up: only "Task <name>[id]" lines count.)
    assert "Task media_library.tasks.transcode[" not in busy.output()
    assert "Task media_library.tasks.transcode[" in idle.output()
    assert "Task media_library.tasks.encode[" in idle.output()
