"""Resumable media uploads straight to the bucket: S3 multipart uploads with presigned parts.

The browser never sends the file through the web pods. The admin asks to start an upload
(name, size, type), and this module opens an S3 multipart upload under
``media_uploads/<uuid>/<name>``; the browser PUTs each part (``MEDIA_UPLOAD_PART_MB``) to a
presigned URL; after a dropped connection it asks which parts the bucket holds (S3's own
ListParts: nothing is kept on a web pod, so any pod answers) and sends the rest; once all
are there the admin completes the upload, checks the object (its size, its first bytes,
ffprobe through a signed URL, the longest duration) and creates the media item on that key,
which starts the pipeline as any upload does.

Chosen over tus (tus-js-client or Uppy with a Python tus server): the Python tus servers
read (django-tus 0.5.0, 2020, unmaintained; drf-tus) append each chunk to a temporary file on
the pod that received it and read each PATCH body into memory (``request.body``), so behind
several web pods a resumed upload can land on a pod without the first half, and every
byte crosses a web pod, the load this is meant to keep off. S3 keeps the parts, does the
assembly and answers "what do you have" itself; its minimum part of 5 MiB is no limit for
lectures. Azure Blob Storage has the same shape (Put Block with SAS, Put Block List) and is
not built here; with the filesystem store (``make run``) the admin's ordinary form upload is used.
"""

import math
import posixpath
import uuid

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils.text import get_valid_filename

UPLOADS_ROOT = "media_uploads"
MIB = 1024 * 1024
S3_MIN_PART = 5 * MIB
S3_MAX_PARTS = 10_000


class NotSupported(Exception):
    """The media store is not S3: resumable uploads need a bucket."""


def is_supported(storage=None):
    storage = storage or default_storage
    return hasattr(storage, "bucket_name") and hasattr(storage, "connection")


def _client(storage):
    if not is_supported(storage):
        raise NotSupported("Resumable uploads need the media store to be an S3 bucket.")
    return storage.connection.meta.client


def part_size(size):
    """The size of each part but the last: ``MEDIA_UPLOAD_PART_MB``, larger when 10,000 parts
    would not hold the file, never under S3's minimum of 5 MiB."""
    wanted = max(S3_MIN_PART, settings.MEDIA_UPLOAD_PART_MB * MIB)
    return max(wanted, math.ceil(size / S3_MAX_PARTS))


def part_count(size, part):
    return max(1, math.ceil(size / part))


def new_key(filename):
    """A fresh storage name for an upload of ``filename``: never overwrites another."""
    name = get_valid_filename(posixpath.basename(filename or "upload"))[:100] or "upload"
    return posixpath.join(UPLOADS_ROOT, uuid.uuid4().hex, name)


def start(key, content_type="application/octet-stream", storage=None):
    """Open a multipart upload for ``key``; return its S3 upload id."""
    storage = storage or default_storage
    answer = _client(storage).create_multipart_upload(
        Bucket=storage.bucket_name, Key=storage._normalize_name(key), ContentType=content_type
    )
    return answer["UploadId"]


def sign_part(key, upload_id, number, storage=None):
    """A presigned URL the browser PUTs part ``number`` to (valid ``AWS_QUERYSTRING_EXPIRE`` s)."""
    storage = storage or default_storage
    return _client(storage).generate_presigned_url(
        "upload_part",
        Params={
            "Bucket": storage.bucket_name,
            "Key": storage._normalize_name(key),
            "UploadId": upload_id,
            "PartNumber": number,
        },
        ExpiresIn=storage.querystring_expire,
    )


def parts(key, upload_id, storage=None):
    """``[{"number", "etag", "size"}]`` of the parts the bucket holds, in order (S3's ListParts)."""
    storage = storage or default_storage
    client, found, marker = _client(storage), [], 0
    while True:
        answer = client.list_parts(
            Bucket=storage.bucket_name,
            Key=storage._normalize_name(key),
            UploadId=upload_id,
            PartNumberMarker=marker,
        )
        found += [
            {"number": p["PartNumber"], "etag": p["ETag"], "size": p["Size"]} for p in answer.get("Parts", [])
        ]
        if not answer.get("IsTruncated"):
            return found
        marker = answer["NextPartNumberMarker"]


def complete(key, upload_id, held, storage=None):
    """Assemble the parts ``held`` (from :func:`parts`) into the object ``key``."""
    storage = storage or default_storage
    _client(storage).complete_multipart_upload(
        Bucket=storage.bucket_name,
        Key=storage._normalize_name(key),
        UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": p["number"], "ETag": p["etag"]} for p in held]},
    )


def abort(key, upload_id, storage=None):
    storage = storage or default_storage
    _client(storage).abort_multipart_upload(
        Bucket=storage.bucket_name, Key=storage._normalize_name(key), UploadId=upload_id
    )


def head(key, length, storage=None):
    """The first ``length`` bytes of the stored object (to recognise its format)."""
    storage = storage or default_storage
    answer = _client(storage).get_object(
        Bucket=storage.bucket_name, Key=storage._normalize_name(key), Range=f"bytes=0-{length - 1}"
    )
    return answer["Body"].read()
