"""Lost work comes back fast: uploads made while the broker is down, encodes nobody runs.

Real processes: the session's Celery worker and Redis; a fresh interpreter whose broker is
a closed port stands for a web process during a Redis outage (tests/outbox/test_nothing_lost.py
stops a real Redis under gunicorn).
"""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from media_library import services, tasks
from media_library.models import Media
from media_library.tasks import ENQUEUE_GRACE, sweep_stuck_media
from outbox import relay
from outbox.services import waiting
from tests.media_fixtures import upload, wait_until_settled
from tests.processes import child_env, free_port, run_python, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

UPLOAD_DURING_OUTAGE = """
import json, time
import django
django.setup()
from django.core.files import File
from django.db import transaction
from media_library.models import Media

started = time.monotonic()
with open({path!r}, "rb") as fh, transaction.atomic():
    media = Media.objects.create(title="During the outage", type="video", file=File(fh, name="outage.mp4"))
print(json.dumps({{"id": media.pk, "seconds": time.monotonic() - started}}))
"""


def ago(seconds):
    return timezone.now() - timedelta(seconds=seconds)


def test_an_upload_while_the_broker_is_down_is_saved_at_once_and_the_outbox_relay_makes_it_ready(
    celery_worker, clips
):
    closed = f"redis://127.0.0.1:{free_port()}/1"
    result = run_python(
        UPLOAD_DURING_OUTAGE.format(path=str(clips / "sd.mp4")),
        env=child_env(CELERY_BROKER_URL=closed, REDIS_URL=None),
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])

    # The request would have been held for at most a couple of seconds, not 20.
    assert outcome["seconds"] < 3
    media = Media.objects.get(pk=outcome["id"])
    assert media.status == Media.Status.PENDING
    assert services.status_label(media) == "Queued"
    # Its transcode waits in the outbox, written with the upload.
    assert waiting(tasks.TRANSCODE, media.pk)

    # The broker is back (the session's Redis). The media sweep leaves the item to the outbox
    # rather than queue it twice, however long it has been pending...
    Media.objects.filter(pk=media.pk).update(status_changed_at=ago(ENQUEUE_GRACE + 1))
    assert sweep_stuck_media.delay().get(timeout=30) == []
    # ...and beat's relay (every 10 s) publishes it once it is due (after any back-off from the
    # outage process's own attempt): queued, then ready.
    wait_for(lambda: relay.relay() == (1, 0), timeout=10, message="the relay to publish the transcode")
    media.refresh_from_db()
    assert media.status in (Media.Status.QUEUED, Media.Status.PROCESSING, Media.Status.READY)
    assert wait_until_settled(media).status == Media.Status.READY


def test_the_sweep_requeues_an_encode_whose_heartbeat_stopped_and_leaves_live_ones_alone(
    celery_worker, clips, settings
):
    dead = upload(clips / "sd.mp4", title="worker died", enqueue=False)
    alive = upload(clips / "sd.mp4", title="slow but alive", enqueue=False)
    waiting = upload(clips / "sd.mp4", title="waiting for a worker", enqueue=False)
    stale = ago(settings.MEDIA_HEARTBEAT_TIMEOUT + 5)
    Media.objects.filter(pk=dead.pk).update(
        status=Media.Status.PROCESSING, progress=37, heartbeat_at=stale, status_changed_at=stale
    )
    # Alive: no progress for an hour, but its heartbeat is fresh (e.g. copying to storage).
    Media.objects.filter(pk=alive.pk).update(
        status=Media.Status.PROCESSING, progress=99, heartbeat_at=timezone.now(), status_changed_at=ago(3600)
    )
    Media.objects.filter(pk=waiting.pk).update(status=Media.Status.QUEUED, status_changed_at=ago(60))
    dead.refresh_from_db()
    # Nobody is running it: the admin shows no progress for it.
    assert services.status_label(dead) == "Queued" and not services.media_status(dead)["running"]

    assert sweep_stuck_media.delay().get(timeout=30) == [dead.pk]

    assert wait_until_settled(dead).status == Media.Status.READY
    alive.refresh_from_db()
    waiting.refresh_from_db()
    assert (alive.status, alive.progress) == (Media.Status.PROCESSING, 99)
    assert services.status_label(alive) == "Processing (99%)"
    assert waiting.status == Media.Status.QUEUED


def test_an_item_waiting_for_a_worker_shows_queued_not_processing(celery_worker, clips, admin_client):
    from django.urls import reverse

    media = upload(clips / "sd.mp4", enqueue=False)
    Media.objects.filter(pk=media.pk).update(status=Media.Status.QUEUED)

    html = admin_client.get(reverse("wagtailmedia:index")).content.decode()
    status = admin_client.get(reverse("media_library_admin:status", args=(media.pk,))).json()

    assert '<span class="media-status__label">Queued</span>' in html
    assert "Processing (0%)" not in html
    assert (status["label"], status["running"]) == ("Queued", False)
