"""What editors read when an upload is refused or an encode fails: short, plain, actionable.

Never a server path, a temporary folder, a memory address or a traceback: FFmpeg's own
output goes to the log (with the task id), and editors get one of these sentences.
"""

ASK_AGAIN = "Please upload it again"
EXPORT_HINT = "export it as MP4 (H.264 video, AAC audio)"


def human_duration(seconds):
    """3725 -> "1 h 2 min", 95 -> "1 min 35 s", 5.2 -> "5 seconds"."""
    seconds = round(seconds)
    if seconds < 120:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    return f"{hours} h {minutes} min" if hours else f"{minutes} min {rest % 60} s"


def hours_text(hours):
    return f"{hours:g} hour{'s' if hours != 1 else ''}"


def unreadable(detail=""):
    """ffprobe could not read the file (at upload or in the worker)."""
    if "moov atom not found" in detail:
        return (
            "This file is incomplete: its index (which tells players where each frame is) "
            "is missing, as happens when a copy or an upload is interrupted. "
            f"{ASK_AGAIN} from the original, or {EXPORT_HINT}."
        )
    if "no audio or video stream" in detail:
        return f"This file holds no audio or video we can read. {ASK_AGAIN}, or {EXPORT_HINT}."
    return (
        "This file could not be read as audio or video: it may be damaged or in a format we "
        f"cannot convert. {ASK_AGAIN}, or {EXPORT_HINT}."
    )


def damaged(read_seconds, total_seconds):
    if total_seconds < 120:
        read, total = f"{int(read_seconds)}", f"{round(total_seconds)} seconds"
    else:
        read, total = f"{int(read_seconds // 60)}", f"{round(total_seconds / 60)} minutes"
    return f"The file seems damaged: only {read} of its {total} could be read. {ASK_AGAIN}."


def encode_failed():
    return (
        "The file could not be converted: it may be damaged or use an unusual format. "
        f"{ASK_AGAIN}, or {EXPORT_HINT}."
    )


def too_long(duration, max_hours):
    return (
        f"This recording is {human_duration(duration)} long; the longest supported is "
        f"{hours_text(max_hours)}. Please split it into parts and upload each one."
    )


def timed_out():
    return (
        "Converting this file took longer than allowed for its length, so it was stopped. "
        "Try “Retry transcode”; if it stops again, ask your administrator."
    )


def gave_up(attempts):
    return (
        f"Processing was interrupted {attempts} times (the server stopped each time), so it was "
        "given up. Try “Retry transcode” later; if it happens again, ask your administrator."
    )


def unexpected(reference):
    return (
        "Something went wrong while processing this file. Try “Retry transcode”; if it "
        f"happens again, give your administrator this reference: {reference}."
    )
