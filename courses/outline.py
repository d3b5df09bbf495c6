"""A course's outline: its sections and lessons in the order students take them.

The lesson order is decided here, once (``build_outline``): explorer (path) order, lessons
placed directly in the course forming sections of their own between modules, and lessons
inside an unpublished module left out, since visitors cannot reach that module. Previous
and next lesson are read off the same order (``Outline.neighbours``).

This module imports no models: the page models hand it their pages (``CoursePage.outline``),
so the pages can use it while the rules above the models (enrollment, progress) import both.
The lesson page type belongs to the ``lessons`` app (``courses.lesson_source``).
"""

from dataclasses import dataclass, field
from functools import cached_property

from django.utils import timezone
from django.utils.formats import date_format

from .lesson_source import lesson_model


@dataclass
class Section:
    """One part of a course outline: a module and its lessons, or lessons placed directly in the course."""

    module: object | None
    lessons: list = field(default_factory=list)

    @property
    def minutes(self):
        return sum(lesson.estimated_minutes or 0 for lesson in self.lessons)


@dataclass
class Outline:
    """A course's published sections in the order the instructor set in the page explorer."""

    course: object
    sections: list

    @cached_property
    def lessons(self):
        return [lesson for section in self.sections for lesson in section.lessons]

    @cached_property
    def lesson_ids(self):
        return [lesson.pk for lesson in self.lessons]

    @property
    def minutes(self):
        return sum(section.minutes for section in self.sections)

    def section_for(self, module):
        return next((s for s in self.sections if s.module and s.module.pk == module.pk), None)

    def module_of(self, lesson):
        """The module holding ``lesson`` in this outline, or None (a lesson placed in the course)."""
        return next(
            (s.module for s in self.sections if s.module and any(item.pk == lesson.pk for item in s.lessons)),
            None,
        )

    def position(self, lesson):
        """``lesson``'s 1-based place in the course, or None if it is not in the outline."""
        return self.lesson_ids.index(lesson.pk) + 1 if lesson.pk in self.lesson_ids else None

    def neighbours(self, lesson):
        """``(previous, next)`` published lessons around ``lesson``, across modules; either may be None."""
        position = self.position(lesson)
        if position is None:
            return None, None
        previous = self.lessons[position - 2] if position > 1 else None
        following = self.lessons[position] if position < len(self.lessons) else None
        return previous, following


def build_outline(course, pages):
    """The Outline of ``course`` from its published pages (in any order).

    ``pages`` are the course's live, public modules and lessons: the lessons' ``estimated_minutes``
    are read, their bodies need not be loaded. A lesson whose module is not among them is left out.
    """
    section_by_path = {}
    sections = []
    for page in sorted(pages, key=lambda p: p.path):
        is_lesson = isinstance(page, lesson_model())
        if not is_lesson:
            section_by_path[page.path] = Section(module=page)
            sections.append(section_by_path[page.path])
            continue
        parent_path = page.path[: -page.steplen]
        if parent_path == course.path:
            if not sections or sections[-1].module is not None:
                sections.append(Section(module=None))
            sections[-1].lessons.append(page)
        elif parent_path in section_by_path:
            section_by_path[parent_path].lessons.append(page)
    return Outline(course=course, sections=sections)


def course_minutes(lesson_minutes, estimated_hours=None):
    """A course's one duration in minutes: its published lessons' times added up, or the
    editor's ``estimated_hours`` only when the lessons have none (0). Shown the same on the
    course page, the catalogue card and in the API (``CoursePage.duration_minutes``)."""
    if lesson_minutes:
        return int(lesson_minutes)
    return round(float(estimated_hours) * 60) if estimated_hours else 0


def format_minutes(minutes):
    """``95`` → ``"1 h 35 min"``; used by templates via the ``duration`` filter."""
    minutes = int(minutes or 0)
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    if hours:
        return f"{hours} h"
    return f"{rest} min"


def opens_on_text(moment):
    """A drip release moment as students read it: ``3 March 2027`` (in the site's time zone)."""
    return date_format(timezone.localtime(moment), "j F Y")  # the month in the active language
