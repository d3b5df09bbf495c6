"""Upload to ready through a real Celery worker and real FFmpeg, and the ways it can go wrong."""

import posixpath
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone

from media_library.models import Media, Rendition
from media_library.tasks import sweep_stuck_media
from tests.media_fixtures import ffprobe_streams, upload, wait_until_settled

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def stored_files(prefix):
    dirs, files = default_storage.listdir(prefix)
    found = [posixpath.join(prefix, f) for f in files]
    for d in dirs:
        found += stored_files(posixpath.join(prefix, d))
    return found


def test_a_720p_upload_becomes_ready_with_probed_metadata_and_a_360p_720p_hls_ladder(celery_worker, clips):
    media = upload(clips / "hd.mp4")

    media = wait_until_settled(media)

    assert media.status == Media.Status.READY, media.error
    assert media.progress == 100
    assert media.duration == pytest.approx(3.0, abs=0.1)
    assert (media.width, media.height) == (1280, 720)
    assert (media.video_codec, media.audio_codec) == ("h264", "aac")
    renditions = {r.label: r for r in media.live_renditions()}
    assert set(renditions) == {"360p", "720p", "master", "thumbnails"}
    for label, (width, height) in {"360p": (640, 360), "720p": (1280, 720)}.items():
        path = default_storage.path(renditions[label].storage_name)
        streams = ffprobe_streams(path)
        assert streams == [("video", "h264", width, height), ("audio", "aac", None, None)]
    master = default_storage.path(renditions["master"].storage_name)
    assert "RESOLUTION=1280x720" in Path(master).read_text()
    # ffprobe follows the master playlist into its variants and segments.
    assert ("video", "h264", 640, 360) in ffprobe_streams(master)
    assert media.poster is not None and media.poster_is_generated
    assert media.poster.width == 1280


def test_a_360p_source_is_not_upscaled(celery_worker, clips):
    media = wait_until_settled(upload(clips / "sd.mp4"))

    assert media.status == Media.Status.READY, media.error
    labels = sorted(r.label for r in media.live_renditions().filter(kind=Rendition.Kind.MP4))
    assert labels == ["360p"]
    mp4 = media.live_renditions().get(label="360p")
    assert ("video", "h264", 640, 360) in ffprobe_streams(default_storage.path(mp4.storage_name))


def test_audio_becomes_aac_in_mp4_and_hls_audio(celery_worker, clips):
    media = wait_until_settled(upload(clips / "tone.mp3", media_type="audio"))

    assert media.status == Media.Status.READY, media.error
    assert media.duration == pytest.approx(3.0, abs=0.15)
    assert media.width is None and media.poster is None
    kinds = {r.kind: r for r in media.live_renditions()}
    assert set(kinds) == {Rendition.Kind.AUDIO, Rendition.Kind.HLS}
    audio = default_storage.path(kinds[Rendition.Kind.AUDIO].storage_name)
    assert ffprobe_streams(audio) == [("audio", "aac", None, None)]
    master = default_storage.path(kinds[Rendition.Kind.HLS].storage_name)
    assert 'CODECS="mp4a.40.2"' in Path(master).read_text()


def test_a_corrupt_file_fails_with_a_plain_message_and_the_worker_carries_on(
    celery_worker, celery_app, clips
):
    broken = wait_until_settled(upload(clips / "corrupt.mp4"))

    assert broken.status == Media.Status.FAILED
    assert broken.error.startswith("This file is incomplete: its index")
    assert "moov" not in broken.error and "/" not in broken.error  # FFmpeg's words go to the log
    assert not broken.version and not broken.renditions.exists()
    assert celery_worker.media.popen.poll() is None
    assert celery_app.control.inspect(timeout=2).ping()
    # The same worker still encodes the next upload.
    assert wait_until_settled(upload(clips / "sd.mp4")).status == Media.Status.READY


def test_replacing_the_file_reencodes_under_a_new_version_and_deletes_the_old_one(celery_worker, clips):
    media = wait_until_settled(upload(clips / "hd.mp4"))
    first_version, first_prefix = media.version, media.version_prefix()
    assert stored_files(first_prefix)

    with (clips / "sd.mp4").open("rb") as fh:
        media.file = File(fh, name="replacement.mp4")
        media.save()
    assert media.status == Media.Status.PENDING
    media = wait_until_settled(media)

    assert media.status == Media.Status.READY, media.error
    assert media.version != first_version
    assert (media.width, media.height) == (640, 360)
    assert not Rendition.objects.filter(media=media, version=first_version).exists()
    assert not default_storage.exists(posixpath.join(first_prefix, "720p.mp4"))
    assert default_storage.listdir(media.media_root_prefix())[0] == [media.version]


def test_an_edit_that_keeps_the_file_does_not_reencode(celery_worker, clips):
    media = wait_until_settled(upload(clips / "sd.mp4"))
    version = media.version

    media.title = "Renamed"
    media.save()

    media.refresh_from_db()
    assert (media.status, media.version) == (Media.Status.READY, version)


def test_the_sweep_reenqueues_an_item_whose_transcode_was_never_queued(celery_worker, clips, settings):
    # As if the broker was down at upload time: the row exists, no message does.
    media = upload(clips / "sd.mp4", enqueue=False)
    Media.objects.filter(pk=media.pk).update(status_changed_at=timezone.now() - timedelta(hours=1))
    fresh = upload(clips / "sd.mp4", enqueue=False, title="just uploaded")

    swept = sweep_stuck_media.delay().get(timeout=30)

    assert swept == [media.pk]
    media = wait_until_settled(media)
    assert media.status == Media.Status.READY, media.error
    fresh.refresh_from_db()
    assert fresh.status == Media.Status.PENDING


def test_an_admin_upload_is_transcoded_by_the_worker_and_its_status_reports_ready(
    celery_worker, clips, admin_client, root_collection
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    response = admin_client.post(
        reverse("wagtailmedia:add", args=("video",)),
        {
            "title": "Week 1",
            "file": SimpleUploadedFile("week1.mp4", (clips / "hd.mp4").read_bytes()),
            "collection": root_collection.pk,
        },
    )
    assert response.status_code == 302
    media = wait_until_settled(Media.objects.get(title="Week 1"))

    status = admin_client.get(reverse("media_library_admin:status", args=(media.pk,))).json()
    assert (status["status"], status["progress"]) == ("ready", 100), status["error"]
    assert {r["label"] for r in status["renditions"]} == {"360p", "720p", "master", "thumbnails"}
