"""Resumable uploads straight to Azure Blob Storage (issue 23), on Azurite, which checks SAS
signatures: each part a block (Put Block to a SAS URL), the blob's uncommitted block list says
what arrived, Put Block List assembles them. An upload is cut off at about half (a block's PUT
dropped mid-body), resumed with only the missing blocks, completed, and becomes a media item
the pipeline encodes."""

import hashlib

import pytest
import requests
from django.core.files.storage import default_storage

from media_library import resumable
from media_library.models import Media, ResumableUpload
from tests.media_fixtures import transcode_here
from tests.media_library.test_azure import azure, azurite  # noqa: F401 (fixtures)
from tests.media_library.test_resumable_upload import (  # noqa: F401
    MIB,
    api,
    lecture,
    post,
    put_cut_off,
    sign,
    start_upload,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture
def editor(client, admin_user, settings, azure):  # noqa: F811
    settings.MEDIA_UPLOAD_PART_MB = 5
    client.force_login(admin_user)
    return client


def put_block(url, data):
    response = requests.put(url, data=data, timeout=60)
    assert response.status_code == 201, response.text[:300]  # Put Block answers 201 Created


def test_on_azure_an_upload_cut_off_at_half_resumes_from_the_blocks_the_blob_holds(
    editor,
    lecture,  # noqa: F811
    root_collection,
):
    upload_id, part, count, chunks = start_upload(editor, lecture, "Lecture 2")
    urls = sign(editor, upload_id, list(range(1, count + 1)))
    # A SAS for this blob alone, allowing writes only, put to the block it names.
    assert "sp=w&" in urls["1"] and "comp=block&blockid=" in urls["1"]

    middle = len(lecture) // 2
    cut = middle // part
    for index in range(cut):
        put_block(urls[str(index + 1)], chunks[index])
    put_cut_off(urls[str(cut + 1)], chunks[cut], middle - cut * part)
    assert 0.4 < (cut * part + middle - cut * part) / len(lecture) < 0.6

    status = editor.get(api("upload", upload_id)).json()
    assert [p["number"] for p in status["parts"]] == list(range(1, cut + 1))
    assert all(p["size"] == part for p in status["parts"])
    early = post(editor, api("upload_complete", upload_id))
    assert early.status_code == 409 and early.json()["missing"] == list(range(cut + 1, count + 1))

    missing = list(range(cut + 1, count + 1))
    urls = sign(editor, upload_id, missing)
    for number in missing:
        put_block(urls[str(number)], chunks[number - 1])
    done = post(editor, api("upload_complete", upload_id))

    assert done.status_code == 201, done.content
    media = Media.objects.get(pk=done.json()["media_id"])
    assert (media.title, media.type) == ("Lecture 2", "video")
    assert media.file.name == ResumableUpload.objects.get(pk=upload_id).key
    with default_storage.open(media.file.name, "rb") as stored:
        assert hashlib.sha256(stored.read()).digest() == hashlib.sha256(lecture).digest()
    media = transcode_here(media)
    assert media.duration == pytest.approx(2.0, abs=0.1)


def test_on_azure_a_signed_block_url_cannot_read_the_blob_nor_take_a_tampered_block_id(
    editor,
    root_collection,
):
    started = post(editor, api("upload_start"), {"filename": "a.mp4", "size": 6 * MIB, "media_type": "video"})
    upload_id = started.json()["id"]
    url = sign(editor, upload_id, [1])["1"]
    put_block(url, b"\0" * 1024)
    # Write-only: the same SAS does not read the blob.
    assert requests.get(url.split("&comp=")[0], timeout=30).status_code == 403
    # The signature covers the blob, not the block id: a block sent under another id (Azure
    # refuses ids of another length; any it took) is not counted as a part.
    requests.put(url.replace("comp=block&blockid=", "comp=block&blockid=eA%3D%3D&x="), data=b"x", timeout=30)
    assert [p["number"] for p in editor.get(api("upload", upload_id)).json()["parts"]] == [1]


def test_on_azure_cancelling_an_upload_discards_its_blocks(editor, root_collection):
    started = post(editor, api("upload_start"), {"filename": "b.mp4", "size": 6 * MIB, "media_type": "video"})
    upload_id = started.json()["id"]
    key = ResumableUpload.objects.get(pk=upload_id).key
    put_block(sign(editor, upload_id, [1])["1"], b"\0" * 1024)
    assert resumable.parts(key, resumable.AZURE_UPLOAD_ID) != []

    assert editor.delete(api("upload", upload_id)).status_code == 204

    assert resumable.parts(key, resumable.AZURE_UPLOAD_ID) == []
    assert not default_storage.exists(key)
