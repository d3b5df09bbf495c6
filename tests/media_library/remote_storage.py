"""Checks shared by the tests of remote storages (S3, Azure Blob): the same pipeline, serving
and version switch must hold whatever store the files live in."""

import urllib.request
from urllib.parse import urljoin

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext

from media_library import services
from media_library.models import Media
from media_library.tasks import encode, record_probe
from tests.media_fixtures import upload


def encoded_video(clips, title):
    """An SD clip uploaded, probed and encoded in this process through ``default_storage``."""
    media = upload(clips / "sd.mp4", title=title, enqueue=False)
    record_probe(media)  # ffprobe reads the original through a signed URL
    assert encode(media.pk, media.file.name) == "ready"
    media.refresh_from_db()
    return media


def assert_pipeline_wrote_renditions(media):
    assert media.duration == pytest.approx(2.0, abs=0.1)
    assert (media.width, media.height) == (640, 360)
    prefix = media.version_prefix()
    assert default_storage.exists(f"{prefix}/360p.mp4")
    assert default_storage.exists(f"{prefix}/hls/master.m3u8")
    assert default_storage.exists(f"{prefix}/hls/360p/seg_0000.ts")
    assert not default_storage.exists(f"{prefix}/720p.mp4")


def segment_response(client, media, user):
    """Check anonymous refusal and the served playlist; return the view's answer for a segment."""
    master = services.playback_urls(media, user).hls
    segment = urljoin(urljoin(master, "360p/index.m3u8"), "seg_0000.ts")

    assert client.get(master).status_code == 403
    assert client.get(segment).status_code == 403

    client.force_login(user)
    playlist = client.get(master)
    assert playlist.status_code == 200 and "360p/index.m3u8" in playlist.content.decode()
    response = client.get(segment)
    assert response.status_code == 302
    # The granted playlist names signed URLs; a signed segment redirects to the store's own
    # presigned URL without a database query (read through storage, not the database).
    signed = next(line for line in playlist.content.decode().splitlines() if line.endswith("360p/index.m3u8"))
    assert signed.startswith("/media-files/signed/")
    variant = client.get(signed)
    assert variant.status_code == 200
    # The variant names each segment by the store's own presigned URL: a player fetches them
    # from the store, and no segment request reaches Python.
    segments = [line for line in variant.content.decode().splitlines() if line and not line.startswith("#")]
    assert segments and all(line.startswith(("http://", "https://")) for line in segments)
    assert segments[0].split("?")[0] == response["Location"].split("?")[0]
    assert fetch_first_byte(segments[0]) == b"\x47"
    # A segment asked under the signed prefix (a playlist cached before) still redirects there,
    # without a database query.
    with CaptureQueriesContext(connection) as queries:
        signed_segment = client.get(urljoin(signed, "seg_0000.ts"))
    assert signed_segment.status_code == 302 and len(queries) == 0
    assert signed_segment["Location"].split("?")[0] == response["Location"].split("?")[0]
    return response, segments[0]


def fetch_first_byte(url):
    with urllib.request.urlopen(url, timeout=10) as fetched:  # noqa: S310 (loopback)
        return fetched.read(1)


def assert_reencode_switches_versions(media, capture_on_commit):
    old_prefix = media.version_prefix()
    services.retranscode(media)

    with capture_on_commit(execute=True):
        assert encode(media.pk, media.file.name) == "ready"

    media.refresh_from_db()
    assert media.status == Media.Status.READY
    assert media.version_prefix() != old_prefix
    assert default_storage.exists(f"{media.version_prefix()}/hls/master.m3u8")
    assert not default_storage.exists(f"{old_prefix}/360p.mp4")
    assert not default_storage.exists(f"{old_prefix}/hls/360p/seg_0000.ts")
    assert default_storage.listdir(media.media_root_prefix())[0] == [media.version]
