"""Chapters: the text editors write (one a line, "0:00 Introduction") and the WebVTT
chapters track players read.

The worker fills an item's chapters from its source (M4A, MP4 and MKV chapters, through
ffprobe) unless an editor has written their own; editors change them in the media edit
view; ``/media-files/<id>/chapters.vtt`` serves them as ``kind="chapters"`` WebVTT, each
chapter running until the next one starts (the last until the end).
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_LINE = re.compile(r"^\s*(?:(\d+):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?\s+(?:[-\u2013\u2014:]\s*)?(\S.*)$")
MAX_TITLE = 200


def clock(seconds, millis=False):
    """83.5 -> "1:23" (or "0:01:23.500" with ``millis``, WebVTT's form)."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if millis:
        ms = round((seconds - whole) * 1000)
        return f"{hours:02d}:{minutes:02d}:{secs:02d}.{ms:03d}"
    frac = seconds - whole
    tail = f".{round(frac * 1000):03d}".rstrip("0") if frac >= 0.001 else ""
    return f"{hours}:{minutes:02d}:{secs:02d}{tail}" if hours else f"{minutes}:{secs:02d}{tail}"


def to_text(chapters):
    """[[start, title]] -> the editable text, one chapter a line."""
    return "\n".join(f"{clock(start)} {title}" for start, title in chapters)


def parse(text, duration=None):
    """The editable text -> [(start seconds, title)], in order.

    Raises ``ValidationError`` naming the first line that is not "time title", a time past
    the end, or times that do not increase.
    """
    chapters = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = _LINE.match(line)
        if not match:
            raise ValidationError(
                _(
                    "Line %(number)s, “%(line)s”, is not a chapter: write a start time and a title, "
                    "one chapter a line, such as “0:00 Introduction” or “1:02:30 Questions”."
                ),
                code="chapter_line",
                params={"number": number, "line": line.strip()[:60]},
            )
        hours, minutes, secs, fraction, title = match.groups()
        if int(secs) >= 60 or (hours and int(minutes) >= 60):
            raise ValidationError(
                _("Line %(number)s: “%(time)s” is not a time (minutes and seconds go up to 59)."),
                code="chapter_time",
                params={"number": number, "time": line.split()[0]},
            )
        start = int(hours or 0) * 3600 + int(minutes) * 60 + int(secs) + float(f"0.{fraction or 0}")
        if duration and start >= duration:
            raise ValidationError(
                _(
                    "Line %(number)s: the chapter starts at %(time)s, after the end of the recording "
                    "(%(end)s)."
                ),
                code="chapter_past_end",
                params={"number": number, "time": clock(start), "end": clock(duration)},
            )
        if chapters and start <= chapters[-1][0]:
            raise ValidationError(
                _(
                    "Line %(number)s: chapters must be in order, each starting after the one before "
                    "(%(time)s is not after %(previous)s)."
                ),
                code="chapter_order",
                params={"number": number, "time": clock(start), "previous": clock(chapters[-1][0])},
            )
        chapters.append((start, " ".join(title.split())[:MAX_TITLE]))
    return chapters


def to_vtt(chapters, duration):
    """A WebVTT chapters track of [(start, title)]: each cue runs to the next chapter's start."""
    lines = ["WEBVTT", ""]
    for number, (start, title) in enumerate(chapters, start=1):
        end = chapters[number][0] if number < len(chapters) else max(duration or 0, start + 1)
        # A cue's text may not contain "-->"; the title is text, not markup.
        safe = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("-->", "→")
        lines += [str(number), f"{clock(start, True)} --> {clock(end, True)}", safe, ""]
    return "\n".join(lines)
