"""The pipeline and permission-checked serving on Azure Blob Storage: Azurite (the emulator
from the npm registry, installed by ``make venv``) on loopback, django-storages' backend.

Azurite checks SAS signatures, so the redirect's URL is fetched as a browser would."""

import json
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlparse

import pytest
from azure.storage.blob import BlobServiceClient
from django.core.files.storage import default_storage

from tests.media_library.remote_storage import (
    assert_pipeline_wrote_renditions,
    assert_reencode_switches_versions,
    encoded_video,
    fetch_first_byte,
    segment_response,
)
from tests.processes import BASE_DIR, Process, child_env, free_port, run_python, wait_for

CONTAINER = "ringlet-media-test"
# Azurite's well-known development account (published in its documentation).
ACCOUNT = "devstoreaccount1"
ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
AZURITE = BASE_DIR / "node_modules" / ".bin" / "azurite-blob"


@dataclass(frozen=True)
class Azurite:
    endpoint: str  # http://127.0.0.1:<port>/devstoreaccount1
    connection_string: str


def _listening(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.fixture(scope="session")
def azurite(tmp_path_factory):
    """Azurite's blob service on a free loopback port, with the test container created."""
    assert AZURITE.exists(), "azurite is missing from node_modules: run `make venv`"
    port = free_port()
    data = tmp_path_factory.mktemp("azurite")
    server = Process(
        [str(AZURITE), "--blobHost", "127.0.0.1", "--blobPort", str(port), "--location", str(data)]
        + ["--skipApiVersionCheck", "--loose", "--silent"],
        env=child_env(),
        log_path=data / "azurite.log",
    )
    try:
        wait_for(lambda: _listening(port) or server.popen.poll() is not None, timeout=30, message="Azurite")
        assert server.popen.poll() is None, server.output()
        endpoint = f"http://127.0.0.1:{port}/{ACCOUNT}"
        connection_string = (
            f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={ACCOUNT_KEY};"
            f"BlobEndpoint={endpoint};"
        )
        BlobServiceClient.from_connection_string(connection_string).create_container(CONTAINER)
        yield Azurite(endpoint, connection_string)
    finally:
        server.stop()


@pytest.fixture
def azure(settings, azurite):
    """Default storage on Azure Blob, configured as portal/settings/base.py does for a container."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "media_library.azure_storage.AzureStorage",
            "OPTIONS": {
                "azure_container": CONTAINER,
                "connection_string": azurite.connection_string,
                "account_name": None,
                "account_key": None,
                "custom_domain": None,
                "expiration_secs": 300,
                "overwrite_files": False,
            },
        },
    }
    assert default_storage.__class__.__name__ == "AzureStorage"
    return azurite


@pytest.fixture
def azure_video(azure, clips):
    return encoded_video(clips, "On Azure")


@pytest.mark.slow
@pytest.mark.django_db
def test_the_pipeline_reads_and_writes_through_azure_blob(azure_video):
    assert_pipeline_wrote_renditions(azure_video)


@pytest.mark.slow
@pytest.mark.django_db
def test_on_azure_playlists_name_segments_by_short_lived_sas_urls_that_serve_the_file(
    client, azure, azure_video, django_user_model, watchers_policy
):
    student = django_user_model.objects.create_user("student", password="pw")
    student.groups.add(watchers_policy)
    response, listed = segment_response(client, azure_video, student)
    blob = f"{azure_video.version_prefix()}/hls/360p/seg_0000.ts"
    for url in (response["Location"], listed):
        location = urlparse(url)
        query = parse_qs(location.query)
        where = f"{location.scheme}://{location.netloc}{location.path}"
        assert where == f"{azure.endpoint}/{CONTAINER}/{blob}"
        expires = datetime.strptime(query["se"][0], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        assert 290 <= (expires - datetime.now(UTC)).total_seconds() <= 301
        assert query["sp"] == ["r"] and query["sig"][0]
    assert fetch_first_byte(listed) == b"\x47"


@pytest.mark.slow
@pytest.mark.django_db
def test_a_tampered_sas_url_is_refused_by_the_store(azure_video):
    url = default_storage.url(f"{azure_video.version_prefix()}/360p.mp4")
    assert fetch_first_byte(url) == b"\x00"  # an MP4 starts with a box size
    tampered = url.replace("sp=r", "sp=rw")
    with pytest.raises(Exception, match="403"):
        fetch_first_byte(tampered)


@pytest.mark.slow
@pytest.mark.django_db
def test_on_azure_a_reencode_switches_versions_and_deletes_the_old_blobs(
    azure_video, django_capture_on_commit_callbacks
):
    assert_reencode_switches_versions(azure_video, django_capture_on_commit_callbacks)


SHOW_STORAGE = (
    "import django, json; django.setup(); from django.conf import settings; "
    "print(json.dumps(settings.STORAGES['default']))"
)


def test_a_container_selects_azure_blob_with_its_options_from_the_environment():
    env = child_env(
        AWS_STORAGE_BUCKET_NAME=None,
        AZURE_CONTAINER="media",
        AZURE_ACCOUNT_NAME="ringlet",
        AZURE_ACCOUNT_KEY="a2V5",
        AZURE_CUSTOM_DOMAIN="media.example.com",
        AZURE_URL_EXPIRATION_SECS="120",
    )
    result = run_python(SHOW_STORAGE, env)
    assert result.returncode == 0, result.stderr
    storage = json.loads(result.stdout)
    assert storage["BACKEND"] == "media_library.azure_storage.AzureStorage"
    assert storage["OPTIONS"] == {
        "azure_container": "media",
        "connection_string": None,
        "account_name": "ringlet",
        "account_key": "a2V5",
        "custom_domain": "media.example.com",
        "expiration_secs": 120,
        "overwrite_files": False,
    }


def test_setting_both_a_bucket_and_a_container_stops_start_up_naming_both():
    env = child_env(AWS_STORAGE_BUCKET_NAME="media", AZURE_CONTAINER="media")
    result = run_python(SHOW_STORAGE, env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "AWS_STORAGE_BUCKET_NAME" in result.stderr and "AZURE_CONTAINER" in result.stderr
