"""Permission-checked serving of renditions, captions and document thumbnails; the admin's status/retry."""

import os
import posixpath
import re
import time

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseGone,
    HttpResponseRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from . import chapters as chapter_text
from . import ffmpeg, grants, pdf, services, signing
from .models import RENDITIONS_ROOT, CaptionTrack, DocumentInfo, Media
from .storage import local_path

CONTENT_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",
    ".mp4": "video/mp4",
    ".m4a": "audio/mp4",
    ".vtt": "text/vtt; charset=utf-8",
    ".jpg": "image/jpeg",  # seek-preview sprites
}
VERSION_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# Private files must not sit in shared caches; the browser may keep them briefly.
PRIVATE_CACHE = "private, max-age=60"
# Playlists and seek-preview maps name signed URLs that expire: a copy kept by the browser would
# hand the player dead URLs again when it asks for fresh ones.
SIGNED_LIST_CACHE = "private, no-store"


def _check(request, media):
    # A grant's signature (a share link's page handed it out) stands in for the viewer's access.
    if grants.allows(request, "media", media.pk):
        return
    if not services.can_access(request.user, media):
        raise PermissionDenied("You may not watch this media.")


@require_GET
def rendition(request, media_id, version, path):
    """A playlist, segment or MP4 of a version of an item, for users the access policy allows
    and URLs signed for a grant (``grants``: a share link's page).

    Playlists are returned as text, so the relative URIs in them come back here and are
    checked too. Other files stream from the filesystem, or, when the storage has no local
    path (S3, Azure Blob), redirect to the short-lived signed URL its ``url()`` gives.
    """
    media = get_object_or_404(Media, pk=media_id)
    _check(request, media)
    path, extension = _clean(version, path)
    name = posixpath.join(media.version_prefix(version), path)
    storage = default_storage
    if not storage.exists(name):
        raise Http404("No such file")
    on_disk = local_path(storage, name)
    if extension == ".m3u8" or path == ffmpeg.THUMBS_VTT:
        expires = signing.expiry()
        # In an object store, segments and sprites are named by the store's own presigned URLs:
        # no request for them comes back to Python.
        direct = None if on_disk else signing.direct_urls(storage, media.version_prefix(version), expires)
        with storage.open(name, "rb") as fh:
            text = fh.read().decode()
        if extension == ".m3u8":
            # Granted: the files this playlist names are handed out as signed URLs (no queries).
            text = signing.sign_playlist(text, media.pk, version, path, expires, direct)
        else:
            # The seek-preview map: its sprite URIs are signed the same way.
            text = signing.sign_thumbnails(text, media.pk, version, path, expires, direct)
        response = HttpResponse(text, content_type=CONTENT_TYPES[extension])
        response["Cache-Control"] = SIGNED_LIST_CACHE
        return response
    if on_disk:
        response = _file_response(request, on_disk, CONTENT_TYPES[extension])
    else:
        response = HttpResponseRedirect(storage.url(name))
    response["Cache-Control"] = PRIVATE_CACHE
    return response


def _clean(version, path):
    """``(path, extension)`` of a requested file, or 404 for anything outside the version."""
    path = posixpath.normpath(path)
    extension = posixpath.splitext(path)[1].lower()
    if not VERSION_RE.match(version) or path.startswith(("/", "..")) or extension not in CONTENT_TYPES:
        raise Http404("No such file")
    return path, extension


@require_GET
def signed_rendition(request, expires, signature, media_id, version, path):
    """A file of a media version under a signed prefix (``signing``): no database query.

    The signature and its expiry are the whole check; the permission-checked view made
    them when it granted the playlist. Files stream from the filesystem, or redirect to the
    object store's own presigned URL (S3, Azure Blob); playlists are read and returned so
    that their relative URIs stay under the signed prefix.
    """
    # As the edge answers: 403 for a signature that does not match, 410 for a true one expired
    # (the player then asks for a fresh playlist).
    if not signing.is_valid(media_id, version, expires, signature, now=0):
        raise PermissionDenied("This media link is not valid.")
    if int(expires) < time.time():
        return _expired()
    return _signed_file(request, media_id, version, path, expires)


@require_GET
def edge_signed_rendition(request, expires, signature, media_id, version, path):
    """A file under the edge's signed prefix that reached Django (no edge in front, as in
    ``make run`` with ``MEDIA_SIGNED_AT_EDGE``): the same check nginx makes, then as above."""
    if not signing.is_valid_at_edge(media_id, version, expires, signature, now=0):
        raise PermissionDenied("This media link is not valid.")
    if int(expires) < time.time():
        return _expired()
    return _signed_file(request, media_id, version, path, expires)


def _expired():
    response = HttpResponseGone("This media link has expired; reload the page.", content_type="text/plain")
    response["Cache-Control"] = SIGNED_LIST_CACHE
    return response


def _signed_file(request, media_id, version, path, expires):
    path, extension = _clean(version, path)
    name = posixpath.join(RENDITIONS_ROOT, str(media_id), version, path)
    storage = default_storage
    on_disk = local_path(storage, name)
    # Remote stores answer a missing object themselves: no round trip to ask first.
    if (extension == ".m3u8" or on_disk) and not storage.exists(name):
        raise Http404("No such file")
    if extension == ".m3u8":
        with storage.open(name, "rb") as fh:
            text = fh.read()
        if not on_disk:
            # Its segments straight from the store, presigned until this URL's own expiry.
            prefix = posixpath.join(RENDITIONS_ROOT, str(media_id), version)
            text = signing.direct_playlist(text.decode(), path, signing.direct_urls(storage, prefix, expires))
        response = HttpResponse(text, content_type=CONTENT_TYPES[extension])
        response["Cache-Control"] = SIGNED_LIST_CACHE
        return response
    if on_disk:
        response = _file_response(request, on_disk, CONTENT_TYPES[extension])
    else:
        response = HttpResponseRedirect(storage.url(name))
    response["Cache-Control"] = PRIVATE_CACHE
    return response


RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _file_response(request, path, content_type):
    """The file, or the one byte range asked for (206), so players can seek in an MP4.

    Object stores (S3, Azure Blob) answer ranges themselves; this is for the filesystem,
    where Django's FileResponse always sends the whole file.
    """
    size = os.path.getsize(path)
    match = RANGE_RE.match(request.headers.get("Range", "").strip())
    if not match or not any(match.groups()):
        response = FileResponse(open(path, "rb"), content_type=content_type)  # noqa: SIM115
        response["Accept-Ranges"] = "bytes"
        return response
    first, last = match.groups()
    if first:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    else:  # "bytes=-N": the last N bytes
        start, end = max(0, size - int(last)), size - 1
    if start >= size or start > end:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response

    def chunks(length=end - start + 1):
        with open(path, "rb") as fh:
            fh.seek(start)
            while length > 0:
                data = fh.read(min(length, 256 * 1024))
                if not data:
                    return
                length -= len(data)
                yield data

    response = StreamingHttpResponse(chunks(), status=206, content_type=content_type)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    return response


@require_GET
def caption(request, media_id, caption_id):
    track = get_object_or_404(CaptionTrack.objects.select_related("media"), pk=caption_id, media_id=media_id)
    _check(request, track.media)
    with track.file.open("rb") as fh:
        response = HttpResponse(fh.read(), content_type=CONTENT_TYPES[".vtt"])
    response["Cache-Control"] = PRIVATE_CACHE
    return response


@require_GET
def chapters(request, media_id):
    """The item's chapters as a WebVTT chapters track, for whoever may watch it."""
    media = get_object_or_404(Media, pk=media_id)
    _check(request, media)
    try:
        found = chapter_text.parse(media.chapters)
    except ValidationError:
        found = []  # saved by code that skipped the form's check: no chapters rather than a 500
    if not found:
        raise Http404("This media has no chapters")
    response = HttpResponse(chapter_text.to_vtt(found, media.duration), content_type=CONTENT_TYPES[".vtt"])
    response["Cache-Control"] = PRIVATE_CACHE
    return response


@require_GET
def document_thumbnail(request, document_id):
    """A document's first-page thumbnail, for exactly those who may download the document.

    The document's own policy (``can_access_document``: a document any non-public lesson
    uses is private) decides, so a thumbnail shows nothing its PDF would not.
    """
    infos = DocumentInfo.objects.select_related("document__collection")
    info = get_object_or_404(infos, document_id=document_id)
    document = info.document
    # Wagtail's own collection privacy (a password or login on the collection) as well.
    # A grant's signature (a share link's page handed it out) stands in for the viewer's access.
    if not grants.allows(request, "document", document.pk):
        restricted = any(not r.accept_request(request) for r in document.collection.get_view_restrictions())
        if restricted or not services.can_access_document(request.user, document):
            raise PermissionDenied("You may not see this document.")
    if not info.thumbnail or info.file_name != document.file.name:
        raise Http404("This document has no thumbnail")
    storage, name = info.thumbnail.storage, info.thumbnail.name
    on_disk = local_path(storage, name)
    if on_disk:
        if not os.path.exists(on_disk):
            raise Http404("No such file")
        response = FileResponse(open(on_disk, "rb"), content_type=pdf.THUMBNAIL_CONTENT_TYPE)  # noqa: SIM115
    else:
        response = HttpResponseRedirect(storage.url(name))
    response["Cache-Control"] = PRIVATE_CACHE
    return response


# --- Admin (mounted under /admin/ by wagtail_hooks, so only admin users get here) ------
def _editable(request, media_id):
    media = get_object_or_404(Media, pk=media_id)
    if not media.is_editable_by_user(request.user):
        raise PermissionDenied
    return media


@require_GET
def admin_status(request, media_id):
    """JSON polled by the admin's progress bars."""
    return JsonResponse(services.media_status(_editable(request, media_id)))


@require_POST
def admin_retranscode(request, media_id):
    media = _editable(request, media_id)
    services.retranscode(media)
    messages.success(
        request,
        gettext("“%(title)s” will be transcoded again; its progress shows below.") % {"title": media.title},
    )
    return redirect("wagtailmedia:edit", media.pk)
