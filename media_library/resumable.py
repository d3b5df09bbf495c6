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
lectures. Azure Blob Storage has the same shape and is handled alike: each part is a block
(Put Block, to a SAS URL with write permission for that blob only), the blob's uncommitted
block list answers "what do you have", and Put Block List assembles them. With the filesystem
store (``make run``) the admin's ordinary form upload is used.
"""

import base64
import math
import mimetypes
import posixpath
import uuid
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils.text import get_valid_filename

UPLOADS_ROOT = "media_uploads"
MIB = 1024 * 1024
S3_MIN_PART = 5 * MIB
S3_MAX_PARTS = 10_000


class NotSupported(Exception):
    """The media store is neither S3 nor Azure Blob: resumable uploads need a bucket."""


def _is_s3(storage):
    return hasattr(storage, "bucket_name") and hasattr(storage, "connection")


def _is_azure(storage):
    return hasattr(storage, "azure_container") and hasattr(storage, "client")


def is_supported(storage=None):
    storage = storage or default_storage
    return _is_s3(storage) or _is_azure(storage)


def _client(storage):
    if not _is_s3(storage):
        raise NotSupported("Resumable uploads need the media store to be an S3 bucket or Azure container.")
    return storage.connection.meta.client


# --- Azure Blob: blocks of one block blob ---------------------------------------------------
# A part is the block whose id is its number (ids of one blob must all have the same length, so
# zero-padded). Uncommitted blocks live in the blob's staging area; Azure discards them a week
# after the last one, or when a block list is committed without them (``abort``).
AZURE_UPLOAD_ID = "azure-blocks"


def _block_name(number):
    return f"part-{number:06d}"


def _block_id(number):
    """The id on the wire (base64, as Put Block takes it); the SDK encodes and decodes it itself."""
    return base64.b64encode(_block_name(number).encode()).decode()


def _block_number(name):
    """The part number of a block the SDK lists (its id decoded), or None for any other block."""
    digits = name[5:] if isinstance(name, str) and name.startswith("part-") else ""
    return int(digits) if digits.isdigit() and len(digits) == 6 else None


def _blob(storage, key):
    return storage.client.get_blob_client(storage._get_valid_path(key))


def _azure_sign_part(storage, key, number):
    # django-storages signs a SAS for this blob alone; "w" lets it take blocks, nothing else.
    url = storage.url(key, expire=storage.expiration_secs or 3600, mode="w")
    return f"{url}&comp=block&blockid={quote(_block_id(number), safe='')}"


def _azure_parts(storage, key):
    from azure.core.exceptions import ResourceNotFoundError

    try:
        _committed, uncommitted = _blob(storage, key).get_block_list("uncommitted")
    except ResourceNotFoundError:  # no block yet
        return []
    found = {}
    for block in uncommitted:
        number = _block_number(block.id)
        if number:
            found[number] = {"number": number, "etag": block.id, "size": block.size}
    return [found[n] for n in sorted(found)]


def _azure_complete(storage, key, held):
    from azure.storage.blob import BlobBlock, ContentSettings

    content_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
    _blob(storage, key).commit_block_list(
        [BlobBlock(block_id=p["etag"]) for p in held],
        content_settings=ContentSettings(content_type=content_type),
    )


def _azure_abort(storage, key):
    from azure.core.exceptions import ResourceNotFoundError

    blob = _blob(storage, key)
    try:
        # Committing an empty list discards every uncommitted block; the empty blob goes next.
        blob.commit_block_list([])
        blob.delete_blob()
    except ResourceNotFoundError:
        pass


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
    if _is_azure(storage):
        return AZURE_UPLOAD_ID  # nothing to open: blocks are staged on the blob's name
    answer = _client(storage).create_multipart_upload(
        Bucket=storage.bucket_name, Key=storage._normalize_name(key), ContentType=content_type
    )
    return answer["UploadId"]


def sign_part(key, upload_id, number, storage=None):
    """A presigned URL the browser PUTs part ``number`` to (valid ``AWS_QUERYSTRING_EXPIRE`` s)."""
    storage = storage or default_storage
    if _is_azure(storage):
        return _azure_sign_part(storage, key, number)
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
    if _is_azure(storage):
        return _azure_parts(storage, key)
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
    if _is_azure(storage):
        return _azure_complete(storage, key, held)
    _client(storage).complete_multipart_upload(
        Bucket=storage.bucket_name,
        Key=storage._normalize_name(key),
        UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": p["number"], "ETag": p["etag"]} for p in held]},
    )


def abort(key, upload_id, storage=None):
    storage = storage or default_storage
    if _is_azure(storage):
        return _azure_abort(storage, key)
    _client(storage).abort_multipart_upload(
        Bucket=storage.bucket_name, Key=storage._normalize_name(key), UploadId=upload_id
    )


def head(key, length, storage=None):
    """The first ``length`` bytes of the stored object (to recognise its format)."""
    storage = storage or default_storage
    if _is_azure(storage):
        return _blob(storage, key).download_blob(offset=0, length=length).readall()
    answer = _client(storage).get_object(
        Bucket=storage.bucket_name, Key=storage._normalize_name(key), Range=f"bytes=0-{length - 1}"
    )
    return answer["Body"].read()


def abandoned_in_store(before, storage=None):
    """``[(key, upload_id)]`` of the multipart uploads under ``media_uploads/`` the bucket holds
    that were started before ``before`` (S3's ListMultipartUploads): the sweep aborts them, with
    or without a ``ResumableUpload`` row. Azure lists no such thing (a blob with only staged
    blocks has no start date); it discards staged blocks a week after the last one, and the
    sweep aborts the ones whose rows it finds."""
    storage = storage or default_storage
    if not _is_s3(storage):
        return []
    client, found = _client(storage), []
    location = (getattr(storage, "location", "") or "").strip("/")
    prefix = f"{location}/{UPLOADS_ROOT}/" if location else f"{UPLOADS_ROOT}/"
    paginator = client.get_paginator("list_multipart_uploads")
    for page in paginator.paginate(Bucket=storage.bucket_name, Prefix=prefix):
        for upload in page.get("Uploads", []):
            if upload["Initiated"] <= before:
                key = upload["Key"][len(location) + 1 :] if location else upload["Key"]
                found.append((key, upload["UploadId"]))
    return found
