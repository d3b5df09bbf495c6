"""Who may read a lesson, and what a student has done in it (completions, playback positions).

Offered to other apps through ``lessons.services``.
"""

import math

from django.db import transaction
from django.utils import timezone
from wagtail.models import Page

from courses import services as courses

from .progress import WATCHED_RATIO, LessonCompletion, PlaybackPosition

# Block types in a lesson body that play media, and the field holding the media id.
MEDIA_BLOCKS = {"video": "video", "audio": "audio"}
# Block types that are requirements of their own; a lesson with one cannot complete by watching alone.
REQUIREMENT_BLOCKS = {"quiz"}


def lesson_is_published(lesson):
    """Whether students can reach ``lesson``: it and every page above it are live (no drafts)."""
    if not lesson.live:
        return False
    return not Page.objects.ancestor_of(lesson).filter(depth__gt=1, live=False).exists()


def can_view_lesson(user, lesson):
    """Whether ``user`` may read ``lesson`` (its body and its media). The one gating rule.

    - Staff and Wagtail editors: always, drafts included.
    - Everyone else: only published lessons (the lesson and its course and module live),
      and then free-preview lessons always, the others only with an enrollment in the course.
    """
    if courses.is_staff_viewer(user):
        return True
    if not lesson_is_published(lesson):
        return False
    if lesson.free_preview:
        return True
    return courses.is_enrolled(user, courses.course_of(lesson))


def _live_lessons_referencing(obj):
    """Live lessons whose body refers to ``obj`` (a media item or document), via Wagtail's reference index."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import ReferenceIndex

    from .models import LessonPage

    page_ids = (
        ReferenceIndex.get_references_to(obj)
        .filter(base_content_type=ContentType.objects.get_for_model(Page))
        .values_list("object_id", flat=True)
    )
    return LessonPage.objects.live().filter(pk__in=[int(pk) for pk in page_ids])


def can_view_media(user, media):
    """Whether ``user`` may play ``media`` because a lesson they may read plays it.

    Meant for the media library's access policy. Lessons are found through Wagtail's
    reference index and confirmed against their body; media used only outside
    lessons (say on the home page) is not decided here: the answer is False.
    """
    if courses.is_staff_viewer(user):
        return True
    lessons = _live_lessons_referencing(media)
    return any(media.pk in media_ids_in(lesson) and can_view_lesson(user, lesson) for lesson in lessons)


def can_view_document(user, document):
    """Whether ``user`` may download ``document``: the media library's document policy.

    A document that no live lesson uses is not course material and stays as Wagtail
    serves it; one that lessons use is served to whoever may read one of them.
    """
    if courses.is_staff_viewer(user):
        return True
    lessons = list(_live_lessons_referencing(document))
    return not lessons or any(can_view_lesson(user, lesson) for lesson in lessons)


def completed_lesson_ids(user, lesson_ids):
    """The ids among ``lesson_ids`` that ``user`` has completed (one query)."""
    return set(
        LessonCompletion.objects.filter(user=user, lesson_id__in=list(lesson_ids)).values_list(
            "lesson_id", flat=True
        )
    )


def is_lesson_complete(user, lesson):
    return user.is_authenticated and LessonCompletion.objects.filter(user=user, lesson=lesson).exists()


def set_lesson_complete(user, lesson, complete=True):
    """Mark ``lesson`` complete (or not) for ``user``; idempotent. Returns the course Progress.

    Completing the last lesson records the course's completion time (once).
    The caller checks that the user is enrolled.
    """
    if complete:
        LessonCompletion.objects.get_or_create(user=user, lesson=lesson)
    else:
        LessonCompletion.objects.filter(user=user, lesson=lesson).delete()
    course = courses.course_of(lesson)
    if course is None:
        return None
    courses.touch_enrollment(user, course)
    return courses.record_completion_if_done(user, course)


def media_ids_in(lesson):
    """The ids of the media items the lesson body plays (its video and audio blocks), in order."""
    ids = []
    for block in lesson.body.raw_data:
        key = MEDIA_BLOCKS.get(block.get("type"))
        value = block.get("value") or {}
        if key and isinstance(value, dict) and value.get(key) is not None:
            ids.append(int(value[key]))
    return ids


def completes_by_watching(lesson):
    """Whether watching is the lesson's only requirement: exactly one video block and no quiz."""
    types = [block.get("type") for block in lesson.body.raw_data]
    return types.count("video") == 1 and not REQUIREMENT_BLOCKS.intersection(types)


def playback_positions(user, lesson):
    """``{media id: seconds}`` where ``user`` stopped in each media item of ``lesson`` (for resuming)."""
    if not user.is_authenticated:
        return {}
    ids = media_ids_in(lesson)
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
    if media_id not in media_ids_in(lesson):
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
    if record.watched and completes_by_watching(lesson) and not is_lesson_complete(user, lesson):
        set_lesson_complete(user, lesson, True)
        completed = True
    else:
        courses.touch_enrollment(user, courses.course_of(lesson), now)
    return record, completed
