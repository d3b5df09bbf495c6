"""Playback positions: the player's heartbeats, resuming, and completing a lesson by watching."""

import math

from django.db import transaction
from django.utils import timezone

from courses.services import touch_enrollment

from .completion import is_lesson_complete, set_lesson_complete
from .models import WATCHED_RATIO, PlaybackPosition


def playback_positions(user, lesson):
    """``{media id: seconds}`` where ``user`` stopped in each media item of ``lesson`` (for resuming)."""
    if not user.is_authenticated:
        return {}
    ids = lesson.media_ids()
    if not ids:
        return {}
    return dict(
        PlaybackPosition.objects.filter(user=user, media_id__in=ids).values_list("media_id", "position")
    )


class PlaybackRejected(ValueError):
    """A heartbeat that cannot be saved; the message says why (sent back with a 400)."""


def parse_heartbeat(payload):
    """Check a heartbeat ``{lesson, media, position, duration}``; clean it (PlaybackRejected if bad)."""
    if not isinstance(payload, dict):
        raise PlaybackRejected("Send a JSON object with lesson, media, position and duration.")
    unexpected = sorted(set(payload) - {"lesson", "media", "position", "duration"})
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
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise PlaybackRejected(f"“{name}” must be a positive whole number (an id).")
        cleaned[name] = value
    for name in ("position", "duration"):
        value = payload[name]
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise PlaybackRejected(f"“{name}” must be a number of seconds.")
        if value < 0:
            raise PlaybackRejected(f"“{name}” cannot be negative.")
        cleaned[name] = float(value)
    if cleaned["duration"] == 0:
        raise PlaybackRejected("“duration” must be more than zero.")
    if cleaned["position"] > cleaned["duration"] + 1:
        raise PlaybackRejected("“position” is past the end of the media.")
    cleaned["position"] = min(cleaned["position"], cleaned["duration"])
    return cleaned


def save_playback(user, lesson, media_id, position, duration):
    """Save where ``user`` is in a media item of ``lesson``; returns ``(PlaybackPosition, completed)``.

    Raises PlaybackRejected when the media is not in the lesson. Reaching 90% marks
    the media watched (once); if that video is the lesson's only requirement, the
    lesson completes (``completed`` is True the time that happens).
    """
    if media_id not in lesson.media_ids():
        raise PlaybackRejected("That media item is not part of this lesson.")
    now = timezone.now()
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
        newly_watched = record.watched_at is None and record.furthest >= WATCHED_RATIO * duration
        if newly_watched:
            record.watched_at = now
        record.save()
    completed = False
    if record.watched and lesson.completes_by_watching() and not is_lesson_complete(user, lesson):
        set_lesson_complete(user, lesson, True)
        completed = True
    else:
        touch_enrollment(user, lesson.course, now)
    return record, completed
