"""What editors read when an upload is refused or an encode fails: short, plain, actionable.

Never a server path, a temporary folder, a memory address or a traceback: FFmpeg's own
output goes to the log (with the task id), and editors get one of these sentences.

They are written in the active language: the editor's at upload; the worker has none of its
own, so what it stores on the item (``Media.error``) is in the site's default language.
"""

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
