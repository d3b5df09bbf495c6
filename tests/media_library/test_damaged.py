"""Damaged sources never go live: a truncated file fails in plain words and leaves nothing behind."""

import glob
import os
import re
import tempfile

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse
from wagtail.images import get_image_model

from media_library.models import Media, Rendition
from media_library.tasks import temp_root
from tests.media_fixtures import ffprobe_streams, transcode_here, upload, wait_until_settled

DAMAGED = re.compile(
    r"^The file seems damaged: only (\d) of its 4 seconds could be read\. Please upload it again\.$"
)


def stored_under(prefix):
    try:
        dirs, files = default_storage.listdir(prefix)
    except FileNotFoundError:
        return []
    return files + [f for d in dirs for f in stored_under(f"{prefix}/{d}")]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("clip", "seconds_read"), [("truncated-50.mp4", {1, 2}), ("truncated-30.mp4", {1})])
def test_a_truncated_upload_fails_with_a_plain_message_and_leaves_nothing_in_storage(
    celery_worker, clips, clip, seconds_read
):
    media = wait_until_settled(upload(clips / clip))

    assert media.status == Media.Status.FAILED
    match = DAMAGED.match(media.error)
    assert match and int(match.group(1)) in seconds_read, media.error
    assert media.duration == pytest.approx(4.0, abs=0.1)  # what the header promised
    assert not media.version and not Rendition.objects.filter(media=media).exists()
    assert stored_under(media.media_root_prefix()) == []
    assert media.poster is None and not get_image_model().objects.exists()
    assert not glob.glob(os.path.join(temp_root(), f"{media.pk}-*"))


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_error_an_editor_sees_holds_no_server_path_on_the_rendered_admin_pages(
    celery_worker, clips, client, django_user_model
):
    damaged = wait_until_settled(upload(clips / "truncated-30.mp4", title="Cut lecture"))
    unreadable = wait_until_settled(upload(clips / "corrupt.mp4", title="No index"))
    assert damaged.status == unreadable.status == Media.Status.FAILED
    client.force_login(django_user_model.objects.create_superuser("editor", "e@example.com", "pw"))

    pages = [
        client.get(reverse("wagtailmedia:index")).content.decode(),
        client.get(reverse("wagtailmedia:edit", args=(damaged.pk,))).content.decode(),
        client.get(reverse("wagtailmedia:edit", args=(unreadable.pk,))).content.decode(),
    ]

    for html in pages:
        errors = re.findall(r'<p class="media-status__error"[^>]*>(.*?)</p>', html, re.S)
        assert errors, "the failure is shown"
        for text in errors:
            assert not re.search(r"(^|[\s(:“\"'])/[\w.-]", text), text  # no absolute path
            assert not re.search(r"0x[0-9a-f]{4,}", text), text  # no memory address
            assert "Traceback" not in text and "ffmpeg" not in text.lower()
        assert str(settings.MEDIA_ROOT) not in html
        assert tempfile.gettempdir() + "/" not in html
    assert "The file seems damaged" in pages[1] and "This file is incomplete" in pages[2]


@pytest.mark.django_db
def test_a_240p_source_gets_a_240p_rendition_and_nothing_larger(clips):
    media = transcode_here(upload(clips / "240p.mp4", enqueue=False))

    mp4s = {r.label: (r.width, r.height) for r in media.live_renditions().filter(kind=Rendition.Kind.MP4)}
    assert mp4s == {"240p": (426, 240)}
    (rendition,) = media.live_renditions().filter(kind=Rendition.Kind.MP4)
    assert ffprobe_streams(default_storage.path(rendition.storage_name)) == [("video", "h264", 426, 240)]


@pytest.mark.django_db
def test_a_1080p_source_gets_360p_720p_and_1080p_from_one_encode(clips):
    media = transcode_here(upload(clips / "1080p.mp4", enqueue=False))

    mp4s = {r.label: (r.width, r.height) for r in media.live_renditions().filter(kind=Rendition.Kind.MP4)}
    assert mp4s == {"360p": (640, 360), "720p": (1280, 720), "1080p": (1920, 1080)}
    master = media.live_renditions().get(kind=Rendition.Kind.HLS)
    assert "RESOLUTION=1920x1080" in default_storage.open(master.storage_name).read().decode()
    assert media.poster is not None and (media.poster.width, media.poster.height) == (1920, 1080)
