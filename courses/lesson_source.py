"""The one declared seam between ``courses`` and ``lessons``: the registered lesson source.

``lessons`` sits above ``courses`` (a lesson knows its course; a course must not import its
lessons), yet a course's outline, progress, catalogue and page tree need the lesson page
model, the lessons a student has completed and when a drip lesson opens. The lessons app
registers one ``LessonSource`` at start-up (``register_lesson_source`` in its ``ready()``);
the ``courses.E001`` to ``E003`` system checks refuse to start without one, or with a model that
lacks a field listed in ``LESSON_FIELDS``. Nothing else in ``courses`` knows of lessons.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol, runtime_checkable

from django.core import checks
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from wagtail.models import Page


class Lesson(Protocol):
    """What ``courses`` reads of a lesson page (besides Wagtail's own page fields)."""

    pk: int
    title: str
    summary: str
    estimated_minutes: int | None
    free_preview: bool
    opens_after_days: int | None


#: The lesson model's fields ``courses`` reads: checked at start-up (``courses.E003``).
LESSON_FIELDS = ("summary", "estimated_minutes", "free_preview", "opens_after_days")


@runtime_checkable
class LessonSource(Protocol):
    """The lessons app's answers to what ``courses`` must ask of lessons."""

    #: The lesson page model: a Wagtail Page subclass with the fields in ``LESSON_FIELDS``,
    #: allowed under courses and modules.
    model: type[Page]

    def completed_ids(self, user, lesson_ids: Iterable[int]) -> set[int]:
        """The ids among ``lesson_ids`` that ``user`` (authenticated) has completed, in one query."""

    def opens_at(self, lesson: Lesson, enrolled_at: datetime) -> datetime | None:
        """When ``lesson`` opens for a student enrolled at ``enrolled_at`` (drip release), or
        None when it is open from the start."""


_source: LessonSource | None = None


def register_lesson_source(source: LessonSource) -> None:
    """Install the lesson source (the lessons app calls this once, in its ``ready()``)."""
    global _source
    if not isinstance(source, LessonSource):
        raise TypeError(f"{source!r} is not a LessonSource (model, completed_ids, opens_at)")
    _source = source


def lesson_source() -> LessonSource:
    """The registered lesson source; fails loudly if no app registered one."""
    if _source is None:
        raise ImproperlyConfigured("No lesson source is registered: add 'lessons' to INSTALLED_APPS.")
    return _source


def lesson_model() -> type[Page]:
    """The registered lesson page model."""
    return lesson_source().model


@checks.register()
def check_lesson_source(app_configs=None, **kwargs):
    """``courses.E001``: no lesson source; ``E002``: its model is not a page; ``E003``: a field is missing."""
    if _source is None:
        return [
            checks.Error(
                "No lesson source is registered with courses.",
                hint="Add 'lessons' to INSTALLED_APPS (its ready() calls register_lesson_source).",
                id="courses.E001",
            )
        ]
    model = _source.model
    if not (isinstance(model, type) and issubclass(model, Page)):
        return [
            checks.Error(f"The lesson source's model {model!r} is not a Wagtail page.", id="courses.E002")
        ]
    errors = []
    for name in LESSON_FIELDS:
        try:
            model._meta.get_field(name)
        except FieldDoesNotExist:
            errors.append(
                checks.Error(
                    f"{model._meta.label} has no field {name!r}, which courses reads of every lesson.",
                    obj=model,
                    id="courses.E003",
                )
            )
    return errors
