"""Checks on what editors upload: media files by their bytes, captions by parsing them."""

import contextlib
import io
import math
import os
import re
import tempfile

import filetype
import webvtt
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _

from . import editor_messages, ffmpeg, limits

# filetype reads at most this many bytes to recognise a format.
SNIFF_BYTES = 8192
# ffprobe reads a container's structure (its index, its streams) in well under a second;
# a file it cannot read in this long is refused rather than hold the request.
PROBE_TIMEOUT = 15
MIB = 1024 * 1024
# Containers FFmpeg reads that may hold audio only (an .m4a is an MP4; an .ogg/.webm may be either).
AUDIO_CONTAINERS = {"video/mp4", "video/quicktime", "video/webm", "video/x-matroska", "application/ogg"}


EMPTY_FILE_MESSAGE = _(
    "The file is empty (0 bytes): nothing was uploaded. This happens when a file is still being "
    "copied or downloaded, or is a cloud placeholder not yet on this computer. Open it to check "
    "that it plays, then choose it again."
)
EMPTY_CAPTION_MESSAGE = _(
    "The caption file is empty (0 bytes). Export the captions again from your captioning tool "
    "(as WebVTT or SRT) and choose the new file."
)


def max_upload_bytes():
    return settings.MEDIA_MAX_UPLOAD_MB * MIB


def mib_text(size, round_up=True):
    """A size in MiB as editors read it: "2,049 MiB", "1.5 MiB" (rounded up: never under-stated)."""
    value = size / MIB
    digits = 0 if value >= 100 else 1
    scale = 10**digits
    value = (math.ceil(value * scale) if round_up else math.floor(value * scale)) / scale
    text = f"{value:,.{digits}f}"
    return f"{text.removesuffix('.0')} MiB"


def too_large_message(size):
    return _(
        "This file is too large: %(size)s; the limit is %(limit)s. "
        "Export a smaller file (a lower resolution or bitrate), or split it into parts."
    ) % {"size": mib_text(size), "limit": mib_text(max_upload_bytes(), False)}


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
        raise ValidationError(EMPTY_FILE_MESSAGE, code="empty")
    if size > max_upload_bytes():
        raise ValidationError(too_large_message(size), code="too_large")
    mime = sniff(uploaded)
    check_type(mime, media_type)
    check_structure(uploaded)
    return mime


def check_type(mime, media_type):
    """Raise ``ValidationError`` unless the sniffed ``mime`` is audio/video of ``media_type``."""
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
            _("This file is not %(expected)s: %(found)s. Upload %(examples)s."),
            code="wrong_type",
            params={"expected": expected, "found": found, "examples": examples},
        )


def check_probe(info):
    """Raise ``ValidationError`` if a probed file is longer than the longest supported."""
    if info.duration > limits.max_duration_seconds(settings.MEDIA_MAX_DURATION_HOURS):
        raise ValidationError(
            editor_messages.too_long(info.duration, settings.MEDIA_MAX_DURATION_HOURS), code="too_long"
        )


def check_structure(uploaded):
    """Refuse a file whose container FFmpeg cannot read (no index, no stream) or that is too long.

    The first bytes say "MP4" even when the index (the moov atom), written at the end, is
    missing; only reading the structure tells, so ffprobe reads it, with a short timeout.
    """
    try:
        with _local_copy(uploaded) as path:
            info = ffmpeg.probe(path, timeout=PROBE_TIMEOUT)
    except ffmpeg.FFmpegError as exc:
        raise ValidationError(editor_messages.unreadable(exc.summary), code="unreadable") from None
    if info.duration > limits.max_duration_seconds(settings.MEDIA_MAX_DURATION_HOURS):
        raise ValidationError(
            editor_messages.too_long(info.duration, settings.MEDIA_MAX_DURATION_HOURS), code="too_long"
        )
    return info


@contextlib.contextmanager
def _local_copy(uploaded):
    """The path of an upload on disk: Django's temporary file, or a copy of one held in memory."""
    if hasattr(uploaded, "temporary_file_path"):
        yield uploaded.temporary_file_path()
        return
    suffix = os.path.splitext(uploaded.name or "")[1][:10]
    with tempfile.NamedTemporaryFile(suffix=suffix, prefix="ringlet-upload-") as copy:
        position = uploaded.tell()
        uploaded.seek(0)
        for chunk in uploaded.chunks():
            copy.write(chunk)
        copy.flush()
        uploaded.seek(position)
        yield copy.name


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
        raise ValidationError(_("The caption file is empty."), code="empty")
    text, converted_from = decode_caption_text(raw)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    is_srt = not text.lstrip().startswith("WEBVTT") and bool(_SRT_TIMING.search(text))
    kind = "SubRip (SRT)" if is_srt else "WebVTT"
    if is_srt or text.lstrip().startswith("WEBVTT"):
        # webvtt-py skips a cue it cannot parse; an editor must hear of it instead.
        _check_cues(text, is_srt, kind)
    try:
        captions = webvtt.from_buffer(io.StringIO(text), format="srt" if is_srt else "vtt", strict=True)
    except Exception as exc:  # webvtt raises several types for malformed files
        raise ValidationError(
            _("This is not a valid %(kind)s file: %(reason)s"),
            code="invalid",
            params={"kind": kind, "reason": exc},
        ) from None
    if not len(captions):
        raise ValidationError(_("The caption file has no cues."), code="no_cues")
    for caption in captions:
        if not caption.end_time > caption.start_time:
            raise ValidationError(
                _("Cue at %(start)s ends before it starts."), code="bad_cue", params={"start": caption.start}
            )
    base = (uploaded.name or "captions").rsplit("/", 1)[-1].rsplit(".", 1)[0] or "captions"
    converted = ContentFile(captions.content.encode("utf-8"), name=f"{base}.vtt")
    # The encoding the file was converted from ("" for UTF-8), for the editor's message.
    converted.converted_from = converted_from
    return converted


# Python codec name -> what editors read. Windows-1252 first: the legacy encoding of
# Western European subtitles (Notepad's "ANSI", Subtitle Edit's and Aegisub's old default).
ENCODING_NAMES = {
    "cp1252": "Windows-1252 (Western European)",
    "utf_16": "UTF-16",
    "utf_16_le": "UTF-16",
    "utf_16_be": "UTF-16",
    "utf_32": "UTF-32",
    "cp1250": "Windows-1250 (Central European)",
    "cp1251": "Windows-1251 (Cyrillic)",
    "cp1253": "Windows-1253 (Greek)",
    "cp1254": "Windows-1254 (Turkish)",
    "cp1255": "Windows-1255 (Hebrew)",
    "cp1256": "Windows-1256 (Arabic)",
    "cp1257": "Windows-1257 (Baltic)",
    "cp932": "Shift JIS (Japanese)",
    "shift_jis": "Shift JIS (Japanese)",
    "gb18030": "GB18030 (Chinese)",
    "big5": "Big5 (Chinese)",
    "euc_kr": "EUC-KR (Korean)",
    "koi8_r": "KOI8-R (Cyrillic)",
    "iso8859_2": "ISO 8859-2 (Central European)",
}
# charset-normalizer's measure of how garbled a decoded text looks (0 clean, 1+ mojibake):
# Windows-1252 decodes any byte, so a Cyrillic or Polish file read as it comes out garbled.
MESS_LIMIT = 0.2
UNDECODABLE_MESSAGE = _(
    "This caption file's text encoding could not be recognised, so its accented letters "
    "would come out wrong. Open it in a text editor and save it as UTF-8 (in Notepad: File > "
    "Save as > Encoding: UTF-8; in Subtitle Edit: File > Save as, Encoding UTF-8), then "
    "upload it again."
)


def decode_caption_text(raw):
    """``(text, converted_from)`` for a caption file's bytes; ``converted_from`` is "" for UTF-8.

    In order: a byte-order mark (UTF-8, UTF-16, UTF-32); UTF-8; then Windows-1252, kept when
    the text it gives does not look garbled (charset-normalizer's mess ratio, so a Cyrillic
    file is not silently turned into Latin letters); then charset-normalizer's best guess
    (Windows-1250/1251, Shift JIS...), kept on the same condition. charset-normalizer alone
    is not used first: on a short subtitle file with a few accented letters it reads
    Windows-1252 French as Windows-1250 ("à" becomes "ŕ"). Anything else is refused with
    ``UNDECODABLE_MESSAGE``, which says how to fix it.
    """
    import codecs

    from charset_normalizer import from_bytes
    from charset_normalizer.md import mess_ratio

    boms = [
        (codecs.BOM_UTF32_LE, "utf_32"),
        (codecs.BOM_UTF32_BE, "utf_32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf_16"),
        (codecs.BOM_UTF16_BE, "utf_16"),
    ]
    for bom, codec in boms:
        if raw.startswith(bom):
            try:
                return raw.decode(codec), "" if codec == "utf-8-sig" else ENCODING_NAMES[codec]
            except UnicodeDecodeError:
                raise ValidationError(UNDECODABLE_MESSAGE, code="encoding") from None
    try:
        return raw.decode("utf-8"), ""
    except UnicodeDecodeError:
        pass
    with contextlib.suppress(UnicodeDecodeError):
        text = raw.decode("cp1252")
        if "\x00" not in text and mess_ratio(text, 1.0) < MESS_LIMIT:
            return text, ENCODING_NAMES["cp1252"]
    best = from_bytes(raw).best()
    if best is not None and best.encoding not in ("utf_8", "ascii"):
        text = str(best)
        if "\x00" not in text and mess_ratio(text, 1.0) < MESS_LIMIT:
            return text, ENCODING_NAMES.get(best.encoding, best.encoding)
    raise ValidationError(UNDECODABLE_MESSAGE, code="encoding")


_CUE_TIMING = re.compile(
    r"^(?:\d+:)?\d{1,2}:\d{2}[.,]\d{3}[ \t]+-->[ \t]+(?:\d+:)?\d{1,2}:\d{2}[.,]\d{3}(?:[ \t].*)?$"
)
_VTT_BLOCKS = ("NOTE", "STYLE", "REGION")


def _check_cues(text, is_srt, kind):
    """Raise ``ValidationError`` naming the first cue whose timing line cannot be read.

    A cue is a block of lines between blank lines: in SRT a number, a timing and text; in
    WebVTT an optional identifier, a timing and text (NOTE, STYLE and REGION blocks and the
    header are not cues).
    """
    number = 0
    for start, block in _blocks(text):
        if not is_srt and (
            block[0].startswith(_VTT_BLOCKS) or (number == 0 and block[0].startswith("WEBVTT"))
        ):
            continue
        number += 1
        at = next((i for i, line in enumerate(block[:2]) if "-->" in line), None)
        if at is None:
            # Where the timing belongs: after the cue's number in SRT, first in WebVTT.
            at = 1 if is_srt and len(block) > 1 and block[0].strip().isdigit() else 0
        timing = block[at].strip()
        if not _CUE_TIMING.match(timing):
            example = "00:00:01,000 --> 00:00:02,500" if is_srt else "00:00:01.000 --> 00:00:02.500"
            raise ValidationError(
                _(
                    "This is not a valid %(kind)s file: cue %(number)s (line %(line)s) cannot be read: "
                    "“%(text)s” is not a timing such as %(example)s. Correct it and upload the file again."
                ),
                code="bad_cue",
                params={
                    "kind": kind,
                    "number": number,
                    "line": start + at,
                    "text": timing[:80],
                    "example": example,
                },
            )


def _blocks(text):
    """``(first line number, [lines])`` for each run of non-blank lines (numbered from 1)."""
    block, start = [], 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not block:
                start = number
            block.append(line)
        elif block:
            yield start, block
            block = []
    if block:
        yield start, block
