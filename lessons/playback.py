"""Playback positions: the player's heartbeats, resuming, and completing a lesson by watching."""

import json
import math

from django.db import transaction
from django.utils import timezone
from wagtailmedia.models import get_media_model

from courses.services import touch_enrollment
from pagetree.services import source_id, source_page

from . import playback_buffer
from .completion import is_lesson_complete, set_lesson_complete
from .models import WATCHED_RATIO, PlaybackPosition


def playback_positions(user, lesson):
    """``{media id: seconds}`` where ``user`` stopped in each media item of ``lesson`` (for resuming):
    the saved position, or the one still waiting in Redis to be flushed if that one is newer."""
    if not user.is_authenticated:
        return {}
    ids = lesson.media_ids()
    if not ids:
        return {}
    saved = {
        media_id: (position, updated.timestamp())
        for media_id, position, updated in PlaybackPosition.objects.filter(
            user=user, media_id__in=ids
        ).values_list("media_id", "position", "updated_at")
    }
    for media_id, (position, at) in playback_buffer.buffered_positions(user.pk, ids).items():
        if media_id not in saved or saved[media_id][1] <= at:
            saved[media_id] = (position, at)
    return {media_id: position for media_id, (position, _) in saved.items()}


def playback_grant(user, lesson):
    """The signed grant the lesson page gives the player for ``user`` (enrolled, reading it), so
    that its reports are kept in Redis without a query (``playback_buffer``); "" if no media."""
    ids = lesson.media_ids()
    if not ids or not user.is_authenticated:
        return ""
    probed = dict(get_media_model().objects.filter(pk__in=ids).values_list("pk", "duration"))
    durations = {str(media_id): probed.get(media_id) or 0 for media_id in ids if media_id in probed}
    # A translation's positions are kept under its source lesson and course, as save_playback does.
    course = lesson.course
    return playback_buffer.issue_grant(
        user, lesson, source_id(course) if course else None, durations, stored_lesson_id=source_id(lesson)
    )


def buffer_report(user_id, grant, data):
    """Keep a report covered by ``grant`` in Redis when the rules allow it; returns the answer for
    the player, or None when the report must be saved to the database now (an event, a media
    item past 90% not yet marked watched, Redis down) by ``save_playback``.

    Raises PlaybackRejected for media not in the lesson or a position past its probed end."""
    probed = grant["m"].get(str(data["media"]))
    if probed is None:
        raise PlaybackRejected("That media item is not part of this lesson.")
    position, duration = data["position"], data["duration"]
    if probed:
        if position > probed + 1:
            raise PlaybackRejected("“position” is past the end of the media.")
        position, duration = min(position, probed), probed
    if data["event"]:
        return None
    kept = playback_buffer.buffer_report(user_id, grant, data["media"], position, duration)
    if kept is None:
        return None
    furthest, watched = kept
    if probed and not watched and furthest >= WATCHED_RATIO * probed:
        return None  # the database decides (once) whether this completes the lesson
    return {"position": position, "furthest": furthest, "watched": watched, "lesson_completed": False}


# What the player says happened, besides its regular heartbeat (learning records use it).
EVENTS = ("play", "pause", "ended")
# A heartbeat is four small numbers; anything much larger is not one (and is not parsed).
MAX_HEARTBEAT_BYTES = 1024
# Ids are database keys; seconds are checked against a week before any arithmetic, so a
# 400-digit integer is refused instead of overflowing a float conversion.
MAX_ID = 2**63 - 1
MAX_SECONDS = 7 * 24 * 3600


class PlaybackRejected(ValueError):
    """A heartbeat that cannot be saved; the message says why (sent back with a 400)."""


def read_heartbeat(body):
    """Parse a heartbeat's raw request body into a cleaned dict (PlaybackRejected if bad).

    Bounded before it is parsed: a body over ``MAX_HEARTBEAT_BYTES`` is refused, and
    JSON nested too deep to parse is refused rather than raising RecursionError.
    """
    if len(body) > MAX_HEARTBEAT_BYTES:
        raise PlaybackRejected(f"The request body is too large (at most {MAX_HEARTBEAT_BYTES} bytes).")
    try:
        payload = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise PlaybackRejected("The request body is not valid JSON.") from None
    return parse_heartbeat(payload)


def parse_heartbeat(payload):
    """Check a heartbeat ``{lesson, media, position, duration}`` (and an optional ``event``: play,
    pause or ended); clean it (PlaybackRejected if bad)."""
    if not isinstance(payload, dict):
        raise PlaybackRejected("Send a JSON object with lesson, media, position and duration.")
    unexpected = sorted(set(payload) - {"lesson", "media", "position", "duration", "event", "token"})
    if unexpected:
        # Positions are always saved for the logged-in student; a payload naming
        # anyone (or anything) else is refused rather than silently ignored.
        raise PlaybackRejected(f"Unexpected field(s): {', '.join(unexpected)}.")
    missing = [name for name in ("lesson", "media", "position", "duration") if name not in payload]
    if missing:
        raise PlaybackRejected(f"Missing field(s): {', '.join(missing)}.")
    cleaned = {}
    for name in ("lesson", "media"):
        value = payload[name]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
            raise PlaybackRejected(f"“{name}” must be a positive whole number (an id).")
        cleaned[name] = value
    for name in ("position", "duration"):
        value = payload[name]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise PlaybackRejected(f"“{name}” must be a number of seconds.")
        # Compared before float() or isfinite(): both overflow on a huge integer.
        if isinstance(value, float) and not math.isfinite(value):
            raise PlaybackRejected(f"“{name}” must be a number of seconds.")
        if value < 0:
            raise PlaybackRejected(f"“{name}” cannot be negative.")
        if value > MAX_SECONDS:
            raise PlaybackRejected(f"“{name}” must be at most {MAX_SECONDS} seconds.")
        cleaned[name] = float(value)
    if cleaned["duration"] == 0:
        raise PlaybackRejected("“duration” must be more than zero.")
    if cleaned["position"] > cleaned["duration"] + 1:
        raise PlaybackRejected("“position” is past the end of the media.")
    cleaned["position"] = min(cleaned["position"], cleaned["duration"])
    event = payload.get("event")
    if event is not None and event not in EVENTS:
        raise PlaybackRejected(f"“event” must be one of {', '.join(EVENTS)}.")
    cleaned["event"] = event
    token = payload.get("token")
    cleaned["token"] = token if isinstance(token, str) else None
    return cleaned


def read_form_report(form):
    """A report sent as a form (``navigator.sendBeacon`` sends ``URLSearchParams`` so, with the
    CSRF token in ``csrfmiddlewaretoken``): the same fields as the JSON one, cleaned the same way."""
    payload = {}
    for name, value in form.items():
        if name == "csrfmiddlewaretoken":
            continue
        if name in ("lesson", "media"):
            if not value.isdigit():
                raise PlaybackRejected(f"“{name}” must be a positive whole number (an id).")
            payload[name] = int(value)
        elif name in ("position", "duration"):
            try:
                payload[name] = float(value)
            except ValueError:
                raise PlaybackRejected(f"“{name}” must be a number of seconds.") from None
        else:
            payload[name] = value
    return parse_heartbeat(payload)


def save_playback(user, lesson, media_id, position, duration):
    """Save where ``user`` is in a media item of ``lesson``; returns ``(PlaybackPosition, completed)``.

    Raises PlaybackRejected when the media is not in the lesson. Reaching 90% marks
    the media watched (once); if that video is the lesson's only requirement, the
    lesson completes (``completed`` is True the time that happens).

    The length that counts is the one the media pipeline probed from the file: the
    ``duration`` the player reports is only used for an item not probed yet, and then
    nothing is marked watched, since no client can vouch for how long a file is.
    """
    if media_id not in lesson.media_ids():
        raise PlaybackRejected("That media item is not part of this lesson.")
    probed = get_media_model().objects.filter(pk=media_id).values_list("duration", flat=True).first()
    if probed:
        if position > probed + 1:
            raise PlaybackRejected("“position” is past the end of the media.")
        position, duration = min(position, probed), probed
    now = timezone.now()
    lesson = source_page(lesson)  # a translation's playback is the lesson's own
    with transaction.atomic():
        record, _ = PlaybackPosition.objects.select_for_update().get_or_create(
            user=user,
            media_id=media_id,
            defaults={"lesson": lesson, "position": position, "duration": duration},
        )
        record.lesson = lesson
        record.position = position
        record.duration = duration
        record.furthest = max(record.furthest, position)
        newly_watched = (
            bool(probed) and record.watched_at is None and record.furthest >= WATCHED_RATIO * duration
        )
        if newly_watched:
            record.watched_at = now
        record.save()
    if record.watched:
        playback_buffer.mark_watched(user.pk, media_id)
    completed = False
    if record.watched and lesson.completes_by_watching() and not is_lesson_complete(user, lesson):
        set_lesson_complete(user, lesson, True)
        completed = True
    else:
        touch_enrollment(user, lesson.course, now)
    return record, completed
