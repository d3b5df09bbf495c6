"""Resumable uploads straight to the bucket (issue 23): S3 multipart with presigned parts, on
moto's S3 server. An upload is cut off at about half (a part's PUT dropped mid-body), asked
what the bucket holds, resumed, completed, and becomes a media item the pipeline encodes."""

import hashlib
import socket
from urllib.parse import urlsplit

import pytest
import requests
from django.core.files.storage import default_storage
from django.urls import reverse

from media_library.models import Media, ResumableUpload
from tests.media_fixtures import ffmpeg, make_pdf, transcode_here
from tests.media_library.test_s3 import s3, s3_endpoint  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.slow, pytest.mark.django_db]
MIB = 1024 * 1024


@pytest.fixture(scope="session")
def lecture(tmp_path_factory):
    """A real video of about 15 MiB (noisy frames at a high bitrate): three 5 MiB parts and more."""
    path = tmp_path_factory.mktemp("resumable") / "lecture.mp4"
    ffmpeg(
        *["-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25", "-f", "lavfi", "-i", "sine", "-t", "2"],
        *["-vf", "noise=alls=60:allf=t", "-c:v", "mpeg4", "-q:v", "2", "-c:a", "aac", str(path)],
    )
    data = path.read_bytes()
    assert len(data) > 10 * MIB, len(data)
    return data


@pytest.fixture
def editor(client, admin_user, settings, s3):  # noqa: F811
    settings.MEDIA_UPLOAD_PART_MB = 5  # S3's smallest part: a 15 MiB file in several parts
    client.force_login(admin_user)
    return client


def api(name, *args):
    return reverse(f"media_library_admin:{name}", args=args)


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def sign(client, upload_id, numbers):
    return post(client, api("upload_parts", upload_id), {"numbers": numbers}).json()["urls"]


def put_part(url, data):
    response = requests.put(url, data=data, timeout=60)
    assert response.status_code == 200, response.text[:300]


def put_cut_off(url, data, sent):
    """A part's PUT whose connection drops after ``sent`` of its bytes (a lost connection)."""
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=30)
    sock.sendall(
        f"PUT {parts.path}?{parts.query} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        f"Content-Length: {len(data)}\r\n\r\n".encode()
        + data[:sent]
    )
    sock.close()


def start_upload(editor, lecture, title):
    """Starts a resumable upload of ``lecture`` as a video; returns its id, part size and count,
    and the file cut into those parts."""
    started = post(
        editor,
        api("upload_start"),
        {"filename": f"{title}.mp4", "size": len(lecture), "media_type": "video", "title": title},
    )
    assert started.status_code == 201, started.content
    upload_id, part, count = (started.json()[k] for k in ("id", "part_size", "part_count"))
    assert part == 5 * MIB and count == -(-len(lecture) // part) >= 3
    return upload_id, part, count, [lecture[i : i + part] for i in range(0, len(lecture), part)]


def test_an_upload_cut_off_at_half_resumes_from_the_parts_the_bucket_holds(editor, lecture, root_collection):
    upload_id, part, count, chunks = start_upload(editor, lecture, "Lecture 1")

    # First session: every part before the middle, then the part holding it is cut off half way.
    middle = len(lecture) // 2
    cut = middle // part  # index of the part the connection drops in
    urls = sign(editor, upload_id, list(range(1, count + 1)))
    for index in range(cut):
        put_part(urls[str(index + 1)], chunks[index])
    put_cut_off(urls[str(cut + 1)], chunks[cut], middle - cut * part)
    sent = cut * part + (middle - cut * part)
    assert 0.4 < sent / len(lecture) < 0.6

    # Later, maybe from another web pod: the bucket says what it holds.
    status = editor.get(api("upload", upload_id)).json()
    assert [p["number"] for p in status["parts"]] == list(range(1, cut + 1))
    early = post(editor, api("upload_complete", upload_id))
    assert early.status_code == 409 and early.json()["missing"] == list(range(cut + 1, count + 1))

    # Second session: only the missing parts, on fresh URLs.
    missing = [n for n in range(1, count + 1) if n not in {p["number"] for p in status["parts"]}]
    urls = sign(editor, upload_id, missing)
    for number in missing:
        put_part(urls[str(number)], chunks[number - 1])
    done = post(editor, api("upload_complete", upload_id))

    assert done.status_code == 201, done.content
    media = Media.objects.get(pk=done.json()["media_id"])
    assert (media.title, media.type, media.status) == ("Lecture 1", "video", Media.Status.PENDING)
    assert media.file.name == ResumableUpload.objects.get(pk=upload_id).key
    with default_storage.open(media.file.name, "rb") as stored:
        assert hashlib.sha256(stored.read()).digest() == hashlib.sha256(lecture).digest()
    media = transcode_here(media)
    assert media.duration == pytest.approx(2.0, abs=0.1)


def test_an_upload_over_the_limit_is_refused_before_any_part(editor, settings):
    settings.MEDIA_MAX_UPLOAD_MB = 1

    response = post(
        editor, api("upload_start"), {"filename": "big.mp4", "size": 3 * MIB, "media_type": "video"}
    )

    assert response.status_code == 413
    assert response.json()["error"].startswith("This file is too large: 3 MiB; the limit is 1 MiB.")
    assert not ResumableUpload.objects.exists()


def test_a_completed_upload_that_is_not_a_video_is_refused_and_deleted(editor, root_collection):
    pdf = make_pdf(pages=1)
    started = post(
        editor, api("upload_start"), {"filename": "notes.mp4", "size": len(pdf), "media_type": "video"}
    )
    upload_id = started.json()["id"]
    put_part(sign(editor, upload_id, [1])["1"], pdf)
    key = ResumableUpload.objects.get(pk=upload_id).key

    response = post(editor, api("upload_complete", upload_id))

    assert response.status_code == 400
    assert response.json()["error"].startswith("This file is not a video: its content is application/pdf.")
    assert not Media.objects.exists()
    assert not default_storage.exists(key)
    assert not ResumableUpload.objects.filter(pk=upload_id).exists()


def test_another_editors_upload_is_not_found(editor, s3, django_user_model):  # noqa: F811
    started = post(editor, api("upload_start"), {"filename": "a.mp4", "size": 6 * MIB, "media_type": "video"})
    upload_id = started.json()["id"]
    other = django_user_model.objects.create_superuser("other", "other@example.com", "pw")
    editor.force_login(other)

    assert editor.get(api("upload", upload_id)).status_code == 404
    assert post(editor, api("upload_parts", upload_id), {"numbers": [1]}).status_code == 404


def test_without_a_bucket_the_form_upload_is_used(client, admin_user):
    client.force_login(admin_user)

    response = post(client, api("upload_start"), {"filename": "a.mp4", "size": MIB, "media_type": "video"})

    assert response.status_code == 409
    assert "use the upload form" in response.json()["error"]
