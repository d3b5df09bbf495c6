"""The pipeline and permission-checked serving on S3: moto's server on loopback, django-storages.

moto does not check signatures or expiry, so these tests assert on the signed URL's
shape and lifetime, and that the object behind it is what the pipeline wrote.
"""

import urllib.request
from urllib.parse import parse_qs, urljoin, urlparse

import boto3
import pytest
from botocore.config import Config
from django.core.files.storage import default_storage

from media_library import services
from media_library.models import Media
from media_library.tasks import encode, record_probe
from tests.media_fixtures import upload
from tests.processes import free_port

pytestmark = [pytest.mark.slow, pytest.mark.django_db]
BUCKET = "ringlet-media-test"


@pytest.fixture(scope="session")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    ).create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()


@pytest.fixture
def s3(settings, s3_endpoint):
    """Default storage on S3, configured as portal/settings/base.py does when a bucket is set."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "access_key": "testing",
                "secret_key": "testing",
                "region_name": "us-east-1",
                "endpoint_url": s3_endpoint,
                "addressing_style": "path",
                "signature_version": "s3v4",
                "querystring_auth": True,
                "querystring_expire": 300,
                "file_overwrite": False,
                "default_acl": None,
            },
        },
    }
    assert default_storage.__class__.__name__ == "S3Storage"
    return s3_endpoint


@pytest.fixture
def s3_video(s3, clips):
    media = upload(clips / "sd.mp4", title="On S3", enqueue=False)
    record_probe(media)  # ffprobe reads the original through a signed URL
    assert encode(media.pk, media.file.name) == "ready"
    media.refresh_from_db()
    return media


def test_the_pipeline_reads_and_writes_through_s3(s3_video):
    assert s3_video.duration == pytest.approx(2.0, abs=0.1)
    assert (s3_video.width, s3_video.height) == (640, 360)
    prefix = s3_video.version_prefix()
    assert default_storage.exists(f"{prefix}/360p.mp4")
    assert default_storage.exists(f"{prefix}/hls/master.m3u8")
    assert default_storage.exists(f"{prefix}/hls/360p/seg_0000.ts")
    assert not default_storage.exists(f"{prefix}/720p.mp4")


def test_on_s3_playlists_are_served_and_segments_redirect_to_short_lived_signed_urls(
    client, s3, s3_video, django_user_model, watchers_policy
):
    student = django_user_model.objects.create_user("student", password="pw")
    student.groups.add(watchers_policy)
    master = services.playback_urls(s3_video, student).hls
    segment = urljoin(urljoin(master, "360p/index.m3u8"), "seg_0000.ts")

    assert client.get(master).status_code == 403
    assert client.get(segment).status_code == 403

    client.force_login(student)
    playlist = client.get(master)
    assert playlist.status_code == 200 and "360p/index.m3u8" in playlist.content.decode()
    response = client.get(segment)
    assert response.status_code == 302
    location = urlparse(response["Location"])
    query = parse_qs(location.query)
    assert f"{location.scheme}://{location.netloc}" == s3
    assert location.path == f"/{BUCKET}/{s3_video.version_prefix()}/hls/360p/seg_0000.ts"
    assert query["X-Amz-Expires"] == ["300"]
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"] and query["X-Amz-Signature"]
    with urllib.request.urlopen(response["Location"], timeout=10) as fetched:  # noqa: S310 (loopback)
        assert fetched.read(1) == b"\x47"


def test_on_s3_a_reencode_switches_versions_and_deletes_the_old_one(
    s3_video, django_capture_on_commit_callbacks
):
    old_prefix = s3_video.version_prefix()
    services.retranscode(s3_video)

    with django_capture_on_commit_callbacks(execute=True):
        assert encode(s3_video.pk, s3_video.file.name) == "ready"

    s3_video.refresh_from_db()
    assert s3_video.status == Media.Status.READY
    assert s3_video.version_prefix() != old_prefix
    assert default_storage.exists(f"{s3_video.version_prefix()}/hls/master.m3u8")
    assert not default_storage.exists(f"{old_prefix}/360p.mp4")
    assert not default_storage.exists(f"{old_prefix}/hls/360p/seg_0000.ts")
    assert default_storage.listdir(s3_video.media_root_prefix())[0] == [s3_video.version]
