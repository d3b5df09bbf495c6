"""What editors read when an upload is refused or an encode fails: short, plain, actionable.

Never a server path, a temporary folder, a memory address or a traceback: FFmpeg's own
output goes to the log (with the task id), and editors get one of these sentences.

They are written in the active language: the editor's at upload. The worker has none of its
own: it stores a ``Failure`` (a code and its parameters, ``Media.error_code`` and
``error_params``) that ``render`` words in the reader's language when a page shows it, and
the sentence in the site's default language (``Media.error``) for the log and older code.
"""

from typing import NamedTuple

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, ngettext


def ask_again():
    return gettext("Please upload it again")


def export_hint():
    return gettext("export it as MP4 (H.264 video, AAC audio)")


def human_duration(seconds):
    """3725 -> "1 h 2 min", 95 -> "1 min 35 s", 5.2 -> "5 seconds"."""
    seconds = round(seconds)
    if seconds < 120:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    if hours:
        return gettext("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    return gettext("%(minutes)d min %(seconds)d s") % {"minutes": minutes, "seconds": rest % 60}


def hours_text(hours):
    return ngettext("%(count)s hour", "%(count)s hours", 1 if hours == 1 else 2) % {"count": f"{hours:g}"}


# The parts of FFmpeg's words ``unreadable`` tells apart (the rest of them stays in the log).
UNREADABLE_KINDS = ("moov atom not found", "no audio or video stream")


def unreadable(detail=""):
    """ffprobe could not read the file (at upload or in the worker)."""
    words = {"ask_again": ask_again(), "export_hint": export_hint()}
    if "moov atom not found" in detail:
        return (
            gettext(
                "This file is incomplete: its index (which tells players where each frame is) "
                "is missing, as happens when a copy or an upload is interrupted. "
                "%(ask_again)s from the original, or %(export_hint)s."
            )
            % words
        )
    if "no audio or video stream" in detail:
        return (
            gettext("This file holds no audio or video we can read. %(ask_again)s, or %(export_hint)s.")
            % words
        )
    return (
        gettext(
            "This file could not be read as audio or video: it may be damaged or in a format we "
            "cannot convert. %(ask_again)s, or %(export_hint)s."
        )
        % words
    )


def damaged(read_seconds, total_seconds):
    if total_seconds < 120:
        message = gettext(
            "The file seems damaged: only %(read)s of its %(total)s seconds could be read. %(ask_again)s."
        )
        read, total = int(read_seconds), round(total_seconds)
    else:
        message = gettext(
            "The file seems damaged: only %(read)s of its %(total)s minutes could be read. %(ask_again)s."
        )
        read, total = int(read_seconds // 60), round(total_seconds / 60)
    return message % {"read": read, "total": total, "ask_again": ask_again()}


def encode_failed():
    return gettext(
        "The file could not be converted: it may be damaged or use an unusual format. "
        "%(ask_again)s, or %(export_hint)s."
    ) % {"ask_again": ask_again(), "export_hint": export_hint()}


def too_long(duration, max_hours):
    return gettext(
        "This recording is %(duration)s long; the longest supported is %(longest)s. "
        "Please split it into parts and upload each one."
    ) % {"duration": human_duration(duration), "longest": hours_text(max_hours)}


def timed_out():
    return gettext(
        "Converting this file took longer than allowed for its length, so it was stopped. "
        "Try “Retry transcode”; if it stops again, ask your administrator."
    )


def gave_up(attempts):
    return gettext(
        "Processing was interrupted %(attempts)s times (the server stopped each time), so it was "
        "given up. Try “Retry transcode” later; if it happens again, ask your administrator."
    ) % {"attempts": attempts}


def unexpected(reference):
    return gettext(
        "Something went wrong while processing this file. Try “Retry transcode”; if it "
        "happens again, give your administrator this reference: %(reference)s."
    ) % {"reference": reference}


def pdf_locked():
    return gettext(
        "The PDF is protected by a password, so students would be asked for one they do not have. "
        "Upload a copy saved without a password (in your PDF tool: remove security, then save)."
    )


def pdf_damaged(problem):
    return gettext(
        "Could not read the PDF: %(problem)s. It may be damaged or incomplete, as happens when a "
        "download or copy is interrupted: upload it again from the original."
    ) % {"problem": problem}


def pdf_no_pages():
    return gettext("The PDF has no pages.")


def pdf_no_size():
    return gettext("The PDF's first page has no size.")


def pdf_not_rendered(problem):
    return gettext("Could not render the PDF's first page: %(problem)s") % {"problem": problem}


def pdf_unreadable(problem):
    return gettext("Could not read the PDF: %(problem)s") % {"problem": problem}


# What a worker stores: each code is the function above that words it, its parameters theirs.
MESSAGES = {
    "unreadable": unreadable,
    "damaged": damaged,
    "encode_failed": encode_failed,
    "too_long": too_long,
    "timed_out": timed_out,
    "gave_up": gave_up,
    "unexpected": unexpected,
    # A document's (DocumentInfo.error_code)
    "pdf_locked": pdf_locked,
    "pdf_damaged": pdf_damaged,
    "pdf_no_pages": pdf_no_pages,
    "pdf_no_size": pdf_no_size,
    "pdf_not_rendered": pdf_not_rendered,
    "pdf_unreadable": pdf_unreadable,
}


class Failure(NamedTuple):
    """A worker's reason (a media item's or a document's), stored as ``code`` and ``params``
    and worded when it is read."""

    code: str
    params: dict

    def text(self):
        """The sentence in the active language."""
        return render(self.code, self.params)

    def default_text(self):
        """The sentence in the site's default language (``Media.error``, ``DocumentInfo.error``,
        the log)."""
        with translation.override(settings.LANGUAGE_CODE):
            return self.text()


def failure(code, **params):
    """``Failure(code, params)``; ``unreadable``'s FFmpeg words are kept only as far as they
    choose its sentence (they may hold a server path)."""
    if code == "unreadable":
        detail = params.get("detail", "")
        params["detail"] = next((kind for kind in UNREADABLE_KINDS if kind in detail), "")
    if code not in MESSAGES:
        raise ValueError(f"unknown media failure code {code!r}")
    return Failure(code, params)


def render(code, params, fallback=""):
    """The stored reason ``code`` with ``params`` in the active language; ``fallback`` (the
    stored sentence) for a code this version does not know or parameters it cannot use."""
    words = MESSAGES.get(code)
    if words is None:
        return fallback
    try:
        return words(**(params or {}))
    except (TypeError, ValueError, KeyError):
        return fallback
