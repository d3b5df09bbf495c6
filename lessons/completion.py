"""Lesson completion: marking a lesson done (or not), and which lessons a student has done.

Completions are kept against the lesson's source page (``pagetree.services.source_id``): a
lesson completed in one language is completed in all of them (README, "Languages").
"""

from django.db import connection

from courses.services import record_completion_if_done, touch_enrollment
from courses.signals import send_after_commit
from pagetree.services import source_ids, source_page

from . import signals
from .models import LessonCompletion

_requirements = []


def register_requirement(check):
    """Install ``check(user, lesson) -> str | None``: what else a student must do before ``lesson``
    completes (None: nothing). The packages app registers its activities this way; "Mark as
    complete", passing a quiz and the player all respect it."""
    if check not in _requirements:
        _requirements.append(check)


def unmet_requirement(user, lesson):
    """The first registered requirement ``user`` has not met in ``lesson`` (its message), or None."""
    for check in _requirements:
        message = check(user, lesson)
        if message:
            return message
    return None


def completed_lesson_ids(user, lesson_ids):
    """The ids among ``lesson_ids`` (of any language) that ``user`` has completed (one query)."""
    sources = source_ids(lesson_ids)
    if not sources or user.pk is None:
        return set()
    if connection.vendor != "postgresql":  # `make run`'s embedded SQLite has no arrays
        done = set(
            LessonCompletion.objects.filter(user=user, lesson_id__in=set(sources.values())).values_list(
                "lesson_id", flat=True
            )
        )
        return {pk for pk, source in sources.items() if source in done}
    # One array parameter instead of the ORM's ``lesson_id__in`` (one parameter per lesson, each
    # prepared in Python: most of a student page's CPU for this query at 50 lessons).
    meta = LessonCompletion._meta
    quote = connection.ops.quote_name
    table, lesson, owner = (
        quote(meta.db_table),
        quote(meta.get_field("lesson").column),
        quote(meta.get_field("user").column),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {lesson} FROM {table} WHERE {owner} = %s AND {lesson} = ANY(%s)",  # noqa: S608 (names from the model)
            [user.pk, sorted(set(sources.values()))],
        )
        done = {row[0] for row in cursor.fetchall()}
    return {pk for pk, source in sources.items() if source in done}


def is_lesson_complete(user, lesson):
    if not user.is_authenticated:
        return False
    return LessonCompletion.objects.filter(user=user, lesson=source_page(lesson)).exists()


def set_lesson_complete(user, lesson, complete=True):
    """Mark ``lesson`` complete (or not) for ``user``; idempotent. Returns the course Progress.

    Completing the last lesson records the course's completion time (once).
    The caller checks that the user is enrolled.
    """
    lesson = source_page(lesson)
    course = lesson.course
    if complete:
        completion, created = LessonCompletion.objects.get_or_create(user=user, lesson=lesson)
        if created:
            send_after_commit(
                signals.lesson_completed,
                LessonCompletion,
                completion=completion,
                user=user,
                lesson=lesson,
                course=course,
            )
    else:
        LessonCompletion.objects.filter(user=user, lesson=lesson).delete()
    if course is None:
        return None
    touch_enrollment(user, course)
    return record_completion_if_done(user, course)
