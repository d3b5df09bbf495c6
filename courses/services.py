"""What other apps may ask of ``courses``: plain functions, no views or models to reach into.

The lesson page type belongs to the ``lessons`` app, which depends on this one; it
registers itself here (``register_lesson_model``) so that courses can list and count
lessons without importing that app.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Exists, F, Func, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Length, Substr
from wagtail.models import Page

# Enrollment and progress (students): implemented in learning.py, offered to other apps from here.
from .learning import (  # noqa: F401
    EnrollmentRefused,
    Progress,
    course_by_id,
    course_progress,
    dashboard_entries,
    enroll,
    get_enrollment,
    is_enrolled,
    is_staff_viewer,
    live_courses,
    record_completion_if_done,
    register_completion_source,
    touch_enrollment,
    unenroll,
)
from .models import CoursePage, ModulePage

_lesson_model = None


def register_lesson_model(model):
    """Tell courses which page model is a lesson (called from the lessons app's ``ready()``).

    The model must be a Page with an integer ``estimated_minutes`` field.
    """
    global _lesson_model
    _lesson_model = model


def lesson_model():
    """The registered lesson page model; fails loudly if no app registered one."""
    if _lesson_model is None:
        raise ImproperlyConfigured("No lesson page model is registered: add 'lessons' to INSTALLED_APPS.")
    return _lesson_model


@dataclass
class Section:
    """One part of a course outline: a module and its lessons, or lessons placed directly in the course."""

    module: ModulePage | None
    lessons: list = field(default_factory=list)

    @property
    def minutes(self):
        return sum(lesson.estimated_minutes or 0 for lesson in self.lessons)


@dataclass
class Outline:
    """A course's published sections in the order the instructor set in the page explorer."""

    course: CoursePage
    sections: list

    @property
    def lessons(self):
        return [lesson for section in self.sections for lesson in section.lessons]

    @property
    def minutes(self):
        return sum(section.minutes for section in self.sections)

    def section_for(self, module):
        return next((s for s in self.sections if s.module and s.module.pk == module.pk), None)


def course_outline(course):
    """The published (live, public) modules and lessons of ``course``, in explorer order.

    Runs a fixed number of queries whatever the number of lessons. Lessons inside an
    unpublished module are left out, since visitors cannot reach that module.
    """
    modules = list(ModulePage.objects.child_of(course).live().public().order_by("path"))
    lessons = list(
        lesson_model().objects.descendant_of(course).live().public().defer_streamfields().order_by("path")
    )
    section_by_path = {}
    sections = []
    for page in sorted(modules + lessons, key=lambda p: p.path):
        if isinstance(page, ModulePage):
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


def published_lessons(course):
    """The lessons of ``course`` a visitor can read, in order (across module boundaries)."""
    return course_outline(course).lessons


def course_of(page):
    """The CoursePage that ``page`` (a module or lesson) belongs to, or None."""
    return CoursePage.objects.ancestor_of(page, inclusive=True).first()


def neighbours(course, page):
    """``(previous, next)`` published lessons around ``page`` in ``course``; either may be None."""
    lessons = published_lessons(course)
    ids = [lesson.pk for lesson in lessons]
    if page.pk not in ids:
        return None, None
    position = ids.index(page.pk)
    previous = lessons[position - 1] if position > 0 else None
    following = lessons[position + 1] if position + 1 < len(lessons) else None
    return previous, following


def reachable(pages):
    """Filter a page queryset to pages whose every ancestor is live.

    Wagtail routes through an unpublished parent, so a live lesson under a draft course
    would otherwise show up in listings; ``CoursePage.route`` refuses such URLs too.
    """
    hidden_ancestor = Page.objects.filter(live=False, path=Substr(OuterRef("path"), 1, Length("path")))
    return pages.filter(~Exists(hidden_ancestor))


def visible_pages(model, pages):
    """The ``model`` pages among ``pages`` (a Page queryset) that have no unpublished ancestor.

    Returned as a ``pk__in`` subquery, the one form Wagtail's search backend can filter on.
    """
    return model.objects.filter(pk__in=reachable(pages).values_list("pk", flat=True))


def with_lesson_stats(courses):
    """Annotate a CoursePage queryset with ``lesson_count`` and ``total_minutes`` of live lessons.

    Two correlated subqueries, so a catalogue of any length costs one query.
    """
    lessons = (
        lesson_model()
        .objects.filter(live=True, path__startswith=OuterRef("path"), depth__gt=OuterRef("depth"))
        .order_by()
    )
    count = lessons.annotate(n=Func(F("pk"), function="COUNT")).values("n")
    minutes = lessons.annotate(m=Func(F("estimated_minutes"), function="SUM")).values("m")
    return courses.annotate(
        lesson_count=Coalesce(Subquery(count, output_field=IntegerField()), Value(0)),
        total_minutes=Coalesce(Subquery(minutes, output_field=IntegerField()), Value(0)),
    )


def format_minutes(minutes):
    """``95`` → ``"1 h 35 min"``; used by templates via the ``duration`` filter."""
    minutes = int(minutes or 0)
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    if hours:
        return f"{hours} h"
    return f"{rest} min"
