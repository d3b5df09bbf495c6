"""What other apps may ask of ``lessons``: plain functions with docstrings."""

from courses import services as courses

# Gating and progress (students): implemented in tracking.py, offered to other apps from here.
from .tracking import (  # noqa: F401
    PlaybackRejected,
    can_view_document,
    can_view_lesson,
    can_view_media,
    completed_lesson_ids,
    is_lesson_complete,
    lesson_is_published,
    media_ids_in,
    playback_positions,
    save_playback,
    set_lesson_complete,
)


def course_of_lesson(lesson):
    """The CoursePage a lesson belongs to (directly or through a module), or None."""
    return courses.course_of(lesson)


def lesson_navigation(lesson):
    """Everything a lesson page shows around its body, in a fixed number of queries.

    Returns a dict with ``course``, ``module`` (or None), ``outline`` (the course's
    published sections), ``previous_lesson`` and ``next_lesson`` (None at either end;
    they cross module boundaries) and ``position``/``lesson_total`` (1-based).
    """
    course = course_of_lesson(lesson)
    if course is None:
        return {"course": None, "module": None, "outline": None, "previous_lesson": None, "next_lesson": None}
    outline = courses.course_outline(course)
    ordered = outline.lessons
    ids = [item.pk for item in ordered]
    position = ids.index(lesson.pk) if lesson.pk in ids else None
    module = next(
        (s.module for s in outline.sections if s.module and any(item.pk == lesson.pk for item in s.lessons)),
        None,
    )
    return {
        "course": course,
        "module": module,
        "outline": outline,
        "previous_lesson": ordered[position - 1] if position else None,
        "next_lesson": ordered[position + 1]
        if position is not None and position + 1 < len(ordered)
        else None,
        "position": position + 1 if position is not None else None,
        "lesson_total": len(ordered),
    }


def previous_and_next(lesson):
    """``(previous, next)`` published lessons around ``lesson`` in its course, across modules."""
    course = course_of_lesson(lesson)
    if course is None:
        return None, None
    return courses.neighbours(course, lesson)


def lessons_of_course(course):
    """The published lessons of ``course`` in the order students take them."""
    return courses.published_lessons(course)


def is_free_preview(lesson):
    """Whether anyone may read ``lesson`` without enrolling."""
    return bool(lesson.free_preview)
