"""The hourly sweep aborts resumable uploads left unfinished for MEDIA_UPLOAD_ABANDON_AFTER_HOURS
(issue 23), on moto's S3 server and on Azurite: their parts stop costing storage, and uploads
in progress or finished are left alone."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.utils import timezone

from media_library import resumable
from media_library.models import ResumableUpload
from media_library.tasks import sweep_abandoned_uploads
from tests.media_library.test_azure import azure, azurite  # noqa: F401 (fixtures)
from tests.media_library.test_resumable_upload import MIB, api, post, sign
from tests.media_library.test_resumable_upload_azure import put_block
from tests.media_library.test_s3 import s3, s3_endpoint  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def start_with_one_part(client, put, name):
    started = post(client, api("upload_start"), {"filename": name, "size": 6 * MIB, "media_type": "video"})
    upload = ResumableUpload.objects.get(pk=started.json()["id"])
    put(sign(client, upload.pk, [1])["1"], b"\0" * (5 * MIB))
    return upload


def backdate(upload, hours):
    ResumableUpload.objects.filter(pk=upload.pk).update(created_at=timezone.now() - timedelta(hours=hours))


def put_s3(url, data):
    import requests

    assert requests.put(url, data=data, timeout=60).status_code == 200


def s3_upload_ids():
    client = default_storage.connection.meta.client
    answer = client.list_multipart_uploads(Bucket=default_storage.bucket_name, Prefix="media_uploads/")
    return {u["UploadId"] for u in answer.get("Uploads", [])}


def test_the_sweep_is_scheduled_by_beat_hourly_on_the_default_queue(celery_app):
    entry = django_settings.CELERY_BEAT_SCHEDULE["media-sweep-uploads"]
    assert entry["task"] == sweep_abandoned_uploads.name and entry["schedule"] == 3600
    assert django_settings.MEDIA_UPLOAD_ABANDON_AFTER_HOURS == 48
    # Not behind an encode on the media worker; the backfill's FFmpeg work is on the media queue.
    assert celery_app.amqp.router.route({}, sweep_abandoned_uploads.name)["queue"].name == "default"
    assert (
        celery_app.amqp.router.route({}, "media_library.tasks.render_seek_previews")["queue"].name == "media"
    )


def test_on_s3_uploads_abandoned_for_two_days_are_aborted_and_others_kept(client, admin_user, s3, settings):  # noqa: F811
    settings.MEDIA_UPLOAD_PART_MB = 5
    client.force_login(admin_user)
    old = start_with_one_part(client, put_s3, "old.mp4")
    recent = start_with_one_part(client, put_s3, "recent.mp4")
    backdate(old, 49)
    backdate(recent, 47)
    # A multipart upload whose row is gone (deleted with its editor). moto dates every
    # multipart upload 2010-11-10 (ListMultipartUploads' Initiated is fixed), so it is old;
    # the recent row's upload, listed with the same date, is kept: its row decides.
    orphan_key = resumable.new_key("orphan.mp4")
    resumable.start(orphan_key)

    assert sweep_abandoned_uploads() == sorted([old.key, orphan_key])

    assert s3_upload_ids() == {recent.upload_id}
    assert list(ResumableUpload.objects.values_list("pk", flat=True)) == [recent.pk]
    assert [p["number"] for p in resumable.parts(recent.key, recent.upload_id)] == [1]

    # Two days on (here: the setting brought to now), the other one goes too.
    settings.MEDIA_UPLOAD_ABANDON_AFTER_HOURS = 0
    assert sweep_abandoned_uploads() == [recent.key]
    assert s3_upload_ids() == set()
    assert not ResumableUpload.objects.exists()


def test_on_azure_abandoned_uploads_lose_their_staged_blocks(client, admin_user, azure, settings):  # noqa: F811
    settings.MEDIA_UPLOAD_PART_MB = 5
    client.force_login(admin_user)
    old = start_with_one_part(client, put_block, "old.mp4")
    recent = start_with_one_part(client, put_block, "recent.mp4")
    backdate(old, 72)

    assert sweep_abandoned_uploads() == [old.key]

    assert resumable.parts(old.key, old.upload_id) == []
    assert not default_storage.exists(old.key)
    assert [p["number"] for p in resumable.parts(recent.key, recent.upload_id)] == [1]
    assert list(ResumableUpload.objects.values_list("pk", flat=True)) == [recent.pk]


def test_a_finished_upload_is_not_touched(client, admin_user, s3, settings):  # noqa: F811
    from media_library.models import Media

    client.force_login(admin_user)
    upload = start_with_one_part(client, put_s3, "done.mp4")
    media = Media.objects.create(title="Done", type="video", file="media_uploads/x/done.mp4")
    ResumableUpload.objects.filter(pk=upload.pk).update(media=media)
    backdate(upload, 100)

    assert sweep_abandoned_uploads() == []
    assert ResumableUpload.objects.filter(pk=upload.pk, media=media).exists()
