"""The pipeline and permission-checked serving on S3: moto's server on loopback, django-storages.

moto does not check signatures or expiry, so these tests assert on the signed URL's
shape and lifetime, and that the object behind it is what the pipeline wrote.
"""

from urllib.parse import parse_qs, urlparse

import boto3
import pytest
from botocore.config import Config
from django.core.files.storage import default_storage

from tests.media_library.remote_storage import (
    assert_pipeline_wrote_renditions,
    assert_reencode_switches_versions,
    encoded_video,
    fetch_first_byte,
    segment_response,
)
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
    return encoded_video(clips, "On S3")


def test_the_pipeline_reads_and_writes_through_s3(s3_video):
    assert_pipeline_wrote_renditions(s3_video)


def test_on_s3_playlists_name_segments_by_short_lived_presigned_urls_of_the_store(
    client, s3, s3_video, django_user_model, watchers_policy
):
    student = django_user_model.objects.create_user("student", password="pw")
    student.groups.add(watchers_policy)
    response, listed = segment_response(client, s3_video, student)
    for url in (response["Location"], listed):
        location = urlparse(url)
        query = parse_qs(location.query)
        assert f"{location.scheme}://{location.netloc}" == s3
        assert location.path == f"/{BUCKET}/{s3_video.version_prefix()}/hls/360p/seg_0000.ts"
        # Valid as long as the signed playlist URL it came from (MEDIA_SIGNED_URL_SECONDS), no longer.
        assert 298 <= int(query["X-Amz-Expires"][0]) <= 300
        assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"] and query["X-Amz-Signature"]
    assert fetch_first_byte(response["Location"]) == b"\x47"


def test_on_s3_a_reencode_switches_versions_and_deletes_the_old_one(
    s3_video, django_capture_on_commit_callbacks
):
    assert_reencode_switches_versions(s3_video, django_capture_on_commit_callbacks)
