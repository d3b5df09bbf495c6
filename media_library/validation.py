"""Checks on what editors upload: media files by their bytes, captions by parsing them."""

import io
import re

import filetype
import webvtt
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat

# filetype reads at most this many bytes to recognise a format.
SNIFF_BYTES = 8192
# Containers FFmpeg reads that may hold audio only (an .m4a is an MP4; an .ogg/.webm may be either).
AUDIO_CONTAINERS = {"video/mp4", "video/quicktime", "video/webm", "video/x-matroska", "application/ogg"}


def max_upload_bytes():
    return settings.MEDIA_MAX_UPLOAD_MB * 1024 * 1024


def sniff(uploaded):
    """The MIME type of an uploaded file according to its first bytes (``None`` if unknown)."""
    position = uploaded.tell() if hasattr(uploaded, "tell") else 0
    uploaded.seek(0)
    head = uploaded.read(SNIFF_BYTES)
    uploaded.seek(position)
    kind = filetype.guess(head)
    return kind.mime if kind else None


def validate_media_upload(uploaded, media_type):
    """Raise ``ValidationError`` unless ``uploaded`` is a non-empty audio/video file within the limit.

    ``media_type`` is ``"video"``, ``"audio"`` or ``"any"``; returns the sniffed MIME type.
    The type comes from the bytes, never the file name, so a renamed PDF is refused here
    instead of failing in FFmpeg later.
    """
    size = uploaded.size
    if not size:
        raise ValidationError("The file is empty (0 bytes). Choose the file again.", code="empty")
    if size > max_upload_bytes():
        raise ValidationError(
            "The file is %(size)s; the largest upload allowed is %(limit)s.",
            code="too_large",
            params={"size": filesizeformat(size), "limit": filesizeformat(max_upload_bytes())},
        )
    mime = sniff(uploaded)
    accepted = mime and (
        mime.startswith(f"{media_type}/")
        or (media_type == "audio" and mime in AUDIO_CONTAINERS)
        or (media_type == "any" and mime.startswith(("audio/", "video/")))
    )
    if not accepted:
        expected, examples = {
            "video": ("a video", "MP4, MOV, WebM or MKV video"),
            "audio": ("an audio file", "MP3, M4A, AAC, WAV, FLAC or OGG audio"),
        }.get(media_type, ("audio or video", "a video (MP4, MOV, WebM, MKV) or audio (MP3, M4A, WAV)"))
        found = f"its content is {mime}" if mime else "its content is not an audio or video format we know"
        raise ValidationError(
            "This file is not %(expected)s: %(found)s. Upload %(examples)s.",
            code="wrong_type",
            params={"expected": expected, "found": found, "examples": examples},
        )
    return mime


_SRT_TIMING = re.compile(r"\d+:\d\d:\d\d,\d{3}\s*-->")


def caption_to_vtt(uploaded):
    """Return a ``ContentFile`` holding valid WebVTT for an uploaded .vtt or .srt file.

    SRT is recognised by its content (comma decimal timings), converted, and named .vtt.
    Raises ``ValidationError`` for empty, undecodable or unparsable files and for files
    without a single cue.
    """
    uploaded.seek(0)
    raw = uploaded.read()
    if not raw.strip():
        raise ValidationError("The caption file is empty.", code="empty")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError("Caption files must be UTF-8 text.", code="encoding") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    is_srt = not text.lstrip().startswith("WEBVTT") and bool(_SRT_TIMING.search(text))
    try:
        captions = webvtt.from_buffer(io.StringIO(text), format="srt" if is_srt else "vtt", strict=True)
    except Exception as exc:  # webvtt raises several types for malformed files
        kind = "SubRip (SRT)" if is_srt else "WebVTT"
        raise ValidationError(
            "This is not a valid %(kind)s file: %(reason)s",
            code="invalid",
            params={"kind": kind, "reason": exc},
        ) from None
    if not len(captions):
        raise ValidationError("The caption file has no cues.", code="no_cues")
    for caption in captions:
        if not caption.end_time > caption.start_time:
            raise ValidationError(
                "Cue at %(start)s ends before it starts.", code="bad_cue", params={"start": caption.start}
            )
    base = (uploaded.name or "captions").rsplit("/", 1)[-1].rsplit(".", 1)[0] or "captions"
    return ContentFile(captions.content.encode("utf-8"), name=f"{base}.vtt")
