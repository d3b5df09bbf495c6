"""Course progress: completed lessons over published lessons, course completion, the dashboard.

Lesson completions belong to the ``lessons`` app, which depends on this one: its registered
lesson source (``courses.lesson_source``) answers "which of these lessons has this user completed?".
"""

import hashlib
from dataclasses import dataclass, field
from functools import cached_property, reduce
from operator import or_

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from accounts.services import forget_for_user, remember_for_user
from pagetree.services import (
    NOT_REMEMBERED,
    content_version,
    has_translations,
    page_under_content_version,
    public,
    remember_under_content_version,
    remembered_under_content_version,
    source_page,
)

from . import signals
from .lesson_source import lesson_model, lesson_source
from .models import CoursePage, Enrollment, ModulePage
from .models.pages import OUTLINE_TIMEOUT, outline_weight
from .outline import Outline, build_outline


def completed_lesson_ids(user, lesson_ids):
    """The ids among ``lesson_ids`` that ``user`` has completed (one query; none for anonymous users)."""
    lesson_ids = list(lesson_ids)
    if not lesson_ids or not user.is_authenticated:
        return set()
    return set(lesson_source().completed_ids(user, lesson_ids))


def _ids_key(kind, ids):
    ids = sorted(ids)
    return (kind, len(ids), hashlib.blake2b(",".join(map(str, ids)).encode(), digest_size=12).hexdigest())


def remembered_completed_ids(user, lesson_ids):
    """``completed_lesson_ids``, kept with the user's other answers until one of their records
    changes (``accounts.services.remember_for_user``): a student's pages read it, write paths
    never do. Read it; do not change it."""
    lesson_ids = list(lesson_ids)
    return remember_for_user(
        user, _ids_key("completed", lesson_ids), lambda: frozenset(completed_lesson_ids(user, lesson_ids))
    )


def remembered_lesson_scores(user, lesson_ids):
    """``lesson_scores``, kept as ``remembered_completed_ids`` is."""
    lesson_ids = list(lesson_ids)
    return remember_for_user(user, _ids_key("scores", lesson_ids), lambda: lesson_scores(user, lesson_ids))


def learner_records_changed(user):
    """``user``'s enrollments, completions or scores changed (or will, as the transaction commits):
    the answers kept about them go. For the apps that write those rows (lessons, packages)."""
    forget_for_user(user)


_score_sources = []


def register_score_source(function):
    """Register ``function(user, lesson_ids) -> {lesson id: percent}``: scores a student earned in
    lessons (the packages app registers its SCORM and H5P scores). The course page shows them."""
    if function not in _score_sources:
        _score_sources.append(function)


def lesson_scores(user, lesson_ids):
    """``{lesson id: percent}`` from every registered source (the best where two answer)."""
    lesson_ids = list(lesson_ids)
    scores = {}
    if not lesson_ids or not user.is_authenticated:
        return scores
    for source in _score_sources:
        for lesson_id, percent in source(user, lesson_ids).items():
            scores[lesson_id] = max(percent, scores.get(lesson_id, percent))
    return scores


@dataclass
class Progress:
    """A student's progress through the current published lessons of a course."""

    lessons: list
    completed_ids: set = field(default_factory=set)
    enrollment: Enrollment | None = None

    @property
    def total(self):
        return len(self.lessons)

    @cached_property
    def done(self):
        # Read up to nine times by one course page (bar, button, labels): counted once.
        return sum(1 for lesson in self.lessons if lesson.pk in self.completed_ids)

    @property
    def percent(self):
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def is_complete(self):
        return self.total > 0 and self.done == self.total

    @property
    def next_lesson(self):
        """The first lesson not completed yet, in course order ("continue where you left off")."""
        return next((lesson for lesson in self.lessons if lesson.pk not in self.completed_ids), None)


def course_progress(user, course, lessons=None, enrollment=None):
    """``user``'s Progress in ``course``: completed current lessons over current lessons.

    Lessons added or removed after enrolling count as they are now. Pass the course's
    ``lessons`` (e.g. ``outline.lessons``) to save the outline queries; the rest is one query.
    """
    lessons = course.get_outline().lessons if lessons is None else list(lessons)
    completed = completed_lesson_ids(user, [lesson.pk for lesson in lessons])
    return Progress(lessons=lessons, completed_ids=completed, enrollment=enrollment)


def record_completion_if_done(user, course):
    """Record the time ``user`` completed ``course`` if every current lesson is done.

    The time is written once (an UPDATE guarded by ``completed_at IS NULL``), so
    later calls, even concurrent ones, never move it; the call that writes it sends
    ``signals.course_completed`` once the transaction commits. Returns the Progress.
    """
    # A translated course completes as the course itself: its source page's lessons count.
    course = source_page(course)
    progress = course_progress(user, course)
    if progress.is_complete:
        recorded = Enrollment.objects.filter(
            user=user, course_id=course.pk, completed_at__isnull=True
        ).update(completed_at=timezone.now())
        learner_records_changed(user)
        if recorded:
            # Only the call that recorded the completion announces it (certificates listen).
            enrollment = Enrollment.objects.get(user=user, course_id=course.pk)
            signals.send_after_commit(
                signals.course_completed, Enrollment, enrollment=enrollment, user=user, course=course
            )
    return progress


def lessons_by_course(courses):
    """``{course id: [published lessons in order]}`` for many courses: the courses' cached outlines
    (``CoursePage.outline``, one ``get_many`` for all of them), and for those not cached yet two
    queries, which then fill the cache for the next time.

    Each course's lessons go through ``build_outline``, the same rule as ``CoursePage.outline``.
    """
    courses = list(courses)
    if not courses:
        return {}
    version = content_version()
    # First those this process remembers (``CoursePage.outline`` remembers what it reads), then
    # the rest from the cache in one round trip.
    result = {}
    for course in courses:
        sections = remembered_under_content_version(f"courses:outline:{course.pk}", version)
        if sections is not NOT_REMEMBERED:
            result[course.pk] = Outline(course=course, sections=sections).lessons
    keys = {f"courses:outline:{course.pk}:{version}": course for course in courses if course.pk not in result}
    found = cache.get_many(list(keys)) if version is not None and keys else {}
    for key, sections in found.items():
        remember_under_content_version(
            f"courses:outline:{keys[key].pk}", version, sections, outline_weight(sections)
        )
        result[keys[key].pk] = Outline(course=keys[key], sections=sections).lessons
    missing = [course for course in courses if course.pk not in result]
    if not missing:
        return result
    within = reduce(or_, (Q(path__startswith=course.path) for course in missing))
    pages = [
        *public(ModulePage.objects.filter(within).live()),
        *public(lesson_model().objects.filter(within).live()).defer_streamfields(),
    ]
    built = {
        course.pk: build_outline(course, [page for page in pages if page.path.startswith(course.path)])
        for course in missing
    }
    if version is not None:
        cache.set_many(
            {f"courses:outline:{pk}:{version}": outline.sections for pk, outline in built.items()},
            OUTLINE_TIMEOUT,
        )
        for pk, outline in built.items():
            remember_under_content_version(
                f"courses:outline:{pk}", version, outline.sections, outline_weight(outline.sections)
            )
    return {**result, **{pk: outline.lessons for pk, outline in built.items()}}


@dataclass
class DashboardEntry:
    course: CoursePage
    enrollment: Enrollment
    progress: Progress


def dashboard_entries(user):
    """The user's enrolled live courses with their Progress, most recent activity first.

    A fixed number of queries (four) however many courses and lessons there are.
    """
    # Kept with the user's answers; which courses are live is the content version's.
    enrollments = list(
        remember_for_user(
            user,
            ("dashboard", content_version()),
            lambda: tuple(
                Enrollment.objects.filter(user=user, course__live=True).order_by(
                    "-last_activity_at", "-enrolled_at"
                )
            ),
        )
    )
    # The courses themselves as the process remembers them for this content version (a copy
    # each), instead of building each from a joined row every time.
    for enrollment in enrollments:
        course = page_under_content_version(CoursePage, enrollment.course_id)
        if course is not None:
            enrollment.course = course
    shown = in_active_language([enrollment.course for enrollment in enrollments])
    lessons = lessons_by_course(shown.values())
    all_ids = [lesson.pk for course_lessons in lessons.values() for lesson in course_lessons]
    completed = remembered_completed_ids(user, all_ids)
    return [
        DashboardEntry(
            course=shown[enrollment.course_id],
            enrollment=enrollment,
            progress=Progress(
                lessons=lessons[shown[enrollment.course_id].pk],
                completed_ids=completed,
                enrollment=enrollment,
            ),
        )
        for enrollment in enrollments
    ]


def in_active_language(courses):
    """``{course id: the course to show}``: its live translation in the active language where there
    is one (enrollments are kept against the source course), else the course itself. No query on
    a site without translations."""
    shown = {course.pk: course for course in courses}
    if not shown or not has_translations():
        return shown
    from wagtail.models import Locale

    locale = Locale.get_active()
    by_key = {course.translation_key: course.pk for course in shown.values() if course.locale_id != locale.pk}
    translations = public(CoursePage.objects.live()).filter(translation_key__in=by_key, locale=locale)
    for translation in translations:
        shown[by_key[translation.translation_key]] = translation
    return shown


def courses_in_progress(user, limit=3):
    """``user``'s unfinished courses (DashboardEntry), most recent first; empty for visitors."""
    if user is None or not user.is_authenticated:
        return []
    return [entry for entry in dashboard_entries(user) if not entry.enrollment.completed_at][:limit]
