"""The admin's JSON API for resumable uploads to the bucket (``resumable``): start, status,
sign parts, complete, cancel. Mounted under ``/admin/media-library/uploads/``; each upload
belongs to the editor who started it.

    POST   uploads/                 {"filename", "size", "media_type", "title", "collection"}
                                    -> 201 {"id", "part_size", "part_count"}
    GET    uploads/<id>/            -> {"parts": [{"number", "etag", "size"}], "part_size", "part_count"}
    POST   uploads/<id>/parts/      {"numbers": [...]} -> {"urls": {"<number>": presigned PUT URL}}
    POST   uploads/<id>/complete/   -> 201 {"media_id", "edit_url", "chosen_url"}
                                    | 409 {"missing": [...]} | 400
    DELETE uploads/<id>/            -> 204 (the parts are discarded)
"""

import json
import logging

import filetype
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST
from wagtail.models import Collection
from wagtailmedia.permissions import permission_policy

from . import ffmpeg, resumable, validation
from .models import Media, ResumableUpload

logger = logging.getLogger(__name__)
MAX_SIGNED_AT_ONCE = 100


def _error(message, status=400, **extra):
    return JsonResponse({"error": message, **extra}, status=status)


def _body(request):
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise ValidationError(_("The request must be a JSON object."))
    return data


def _own(request, upload_id):
    upload = get_object_or_404(ResumableUpload, pk=upload_id)
    if upload.user_id != request.user.pk:
        raise Http404("No such upload")
    return upload


@require_POST
def start(request):
    if not permission_policy.user_has_permission(request.user, "add"):
        return _error(_("You may not upload media."), 403)
    if not resumable.is_supported():
        return _error(
            _(
                "Resumable uploads need the media store to be an S3 bucket or an Azure container; "
                "use the upload form."
            ),
            409,
        )
    try:
        data = _body(request)
        media_type = data.get("media_type")
        if media_type not in ("video", "audio"):
            raise ValidationError(_("media_type must be “video” or “audio”."))
        size = data.get("size")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise ValidationError(_("size must be the file's size in bytes."))
        if size == 0:
            raise ValidationError(validation.EMPTY_FILE_MESSAGE)
        if size > validation.max_upload_bytes():
            return _error(validation.too_large_message(size), 413)
        filename = str(data.get("filename") or "").strip()
        if not filename:
            raise ValidationError(_("filename is required."))
        allowed = permission_policy.collections_user_has_permission_for(request.user, "add")
        collection = allowed.filter(pk=data.get("collection") or Collection.get_first_root_node().pk).first()
        if collection is None:
            raise ValidationError(_("You may not add media to that collection."))
    except ValidationError as exc:
        return _error(" ".join(exc.messages))
    key = resumable.new_key(filename)
    part_size = resumable.part_size(size)
    upload = ResumableUpload.objects.create(
        user=request.user,
        title=str(data.get("title") or filename)[:255],
        media_type=media_type,
        collection=collection,
        filename=filename[:255],
        size=size,
        part_size=part_size,
        key=key,
        upload_id=resumable.start(key),
    )
    return JsonResponse(
        {"id": str(upload.pk), "part_size": part_size, "part_count": resumable.part_count(size, part_size)},
        status=201,
    )


@require_http_methods(["GET", "DELETE"])
def upload(request, upload_id):
    upload = _own(request, upload_id)
    if request.method == "DELETE":
        if upload.media_id is None:
            resumable.abort(upload.key, upload.upload_id)
        upload.delete()
        return HttpResponse(status=204)
    held = [] if upload.media_id else resumable.parts(upload.key, upload.upload_id)
    return JsonResponse(
        {
            "parts": held,
            "part_size": upload.part_size,
            "part_count": resumable.part_count(upload.size, upload.part_size),
            "media_id": upload.media_id,
        }
    )


@require_POST
def sign(request, upload_id):
    upload = _own(request, upload_id)
    count = resumable.part_count(upload.size, upload.part_size)
    try:
        numbers = _body(request).get("numbers")
        valid = isinstance(numbers, list) and 0 < len(numbers) <= MAX_SIGNED_AT_ONCE
        if not valid or not all(isinstance(n, int) and 1 <= n <= count for n in numbers):
            raise ValidationError(
                _("numbers must list up to %(most)d part numbers from 1 to %(count)d.")
                % {"most": MAX_SIGNED_AT_ONCE, "count": count}
            )
    except ValidationError as exc:
        return _error(" ".join(exc.messages))
    return JsonResponse(
        {"urls": {str(n): resumable.sign_part(upload.key, upload.upload_id, n) for n in numbers}}
    )


@require_POST
def complete(request, upload_id):
    """Assemble the parts, check the file as the upload form would, and make the media item."""
    upload = _own(request, upload_id)
    if upload.media_id:
        return JsonResponse(_made(upload.media_id), status=201)
    count = resumable.part_count(upload.size, upload.part_size)
    held = {p["number"]: p for p in resumable.parts(upload.key, upload.upload_id)}
    expected = {
        n: min(upload.part_size, upload.size - (n - 1) * upload.part_size) for n in range(1, count + 1)
    }
    missing = [n for n, size in expected.items() if n not in held or held[n]["size"] != size]
    if missing:
        return _error(_("Some parts have not arrived yet; send them, then complete."), 409, missing=missing)
    resumable.complete(upload.key, upload.upload_id, [held[n] for n in sorted(expected)])
    try:
        info = _check_stored(upload)
    except ValidationError as exc:
        default_storage.delete(upload.key)
        upload.delete()
        return _error(" ".join(exc.messages))
    with transaction.atomic():
        media = Media(
            title=upload.title,
            type=upload.media_type,
            collection=upload.collection,
            uploaded_by_user=upload.user,
            duration=round(info.duration, 3),
        )
        media.file.name = upload.key  # already in the bucket: assembled there, never copied
        media.save()  # post_save queues its transcode on commit, as for the form's uploads
        upload.media = media
        upload.save(update_fields=["media"])
    _index(media)
    return JsonResponse(_made(media.pk), status=201)


def _check_stored(upload):
    """The checks of the upload form, on the assembled object: type by its bytes, structure and
    duration by ffprobe through a signed URL. Returns the probe."""
    head = resumable.head(upload.key, validation.SNIFF_BYTES)
    kind = filetype.guess(head)
    validation.check_type(kind.mime if kind else None, upload.media_type)
    try:
        info = ffmpeg.probe(default_storage.url(upload.key), timeout=validation.PROBE_TIMEOUT)
    except ffmpeg.FFmpegError as exc:
        from .editor_messages import unreadable

        raise ValidationError(unreadable(exc.summary)) from None
    validation.check_probe(info)
    return info


def _made(media_id):
    """Where the new item goes: its edit view (the add form) or the chooser's answer (the modal)."""
    return {
        "media_id": media_id,
        "edit_url": reverse("wagtailmedia:edit", args=[media_id]),
        "chosen_url": reverse("wagtailmedia:media_chosen", args=[media_id]),
    }


def _index(media):
    """Add the item to the admin's search, as wagtailmedia's own upload views do."""
    from wagtail.search.backends import get_search_backends

    for backend in get_search_backends():
        try:
            backend.add(media)
        except Exception:
            logger.warning("media %s: not added to the search index", media.pk, exc_info=True)
