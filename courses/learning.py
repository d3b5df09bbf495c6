"""Enrollment rules and course progress; other apps reach these through ``courses.services``.

Lesson completions belong to the ``lessons`` app, which depends on this one, so it
registers a function answering "which of these lessons has this user completed?"
(``register_completion_source``) instead of courses importing it.
"""

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from wagtail.models import Page

from .enrollment import Enrollment
from .models import CoursePage, ModulePage

_completion_source = None


def register_completion_source(function):
    """Register ``function(user, lesson_ids) -> set of completed lesson ids`` (the lessons app does)."""
    global _completion_source
    _completion_source = function


def _completed_lesson_ids(user, lesson_ids):
    if _completion_source is None:
        raise ImproperlyConfigured("No lesson completion source registered: add 'lessons' to INSTALLED_APPS.")
    if not lesson_ids or not user.is_authenticated:
        return set()
    return set(_completion_source(user, lesson_ids))


class EnrollmentRefused(Exception):
    """Raised by ``enroll`` with a message the student can read (window, capacity, prerequisites)."""


def is_staff_viewer(user):
    """Whether ``user`` may see every lesson without enrolling (staff and Wagtail editors)."""
    return bool(user.is_authenticated and (user.is_staff or user.has_perm("wagtailadmin.access_admin")))


def is_enrolled(user, course):
    """Whether ``user`` (any user, anonymous included) has an enrollment in ``course``. One query at most."""
    if not user.is_authenticated or course is None:
        return False
    return Enrollment.objects.filter(user=user, course_id=course.pk).exists()


def get_enrollment(user, course):
    """The user's Enrollment in ``course``, or None."""
    if not user.is_authenticated or course is None:
        return None
    return Enrollment.objects.filter(user=user, course_id=course.pk).first()


def completed_course_ids(user):
    """Ids of the courses ``user`` has completed (their completion time is recorded)."""
    if not user.is_authenticated:
        return set()
    return set(
        Enrollment.objects.filter(user=user, completed_at__isnull=False).values_list("course_id", flat=True)
    )


def missing_prerequisites(user, course):
    """The live courses ``course`` requires that ``user`` has not completed yet, in title order."""
    required = list(CoursePage.objects.live().filter(required_by=course.pk).order_by("title"))
    done = completed_course_ids(user)
    return [prerequisite for prerequisite in required if prerequisite.pk not in done]


def enrollment_status(course, now=None):
    """Why nobody can enroll in ``course`` right now (a sentence), or None when it is open.

    Covers the window only; capacity needs a count and is checked by ``enroll`` under a lock.
    """
    now = now or timezone.now()
    if not course.live:
        return "This course is not published."
    if course.enrollment_opens_at and now < course.enrollment_opens_at:
        return f"Enrollment opens on {timezone.localtime(course.enrollment_opens_at):%d %B %Y at %H:%M}."
    if course.enrollment_closes_at and now >= course.enrollment_closes_at:
        return f"Enrollment closed on {timezone.localtime(course.enrollment_closes_at):%d %B %Y at %H:%M}."
    return None


def enroll(user, course):
    """Enroll ``user`` in ``course`` and return ``(enrollment, created)``; idempotent.

    Raises EnrollmentRefused with a readable reason when the window is shut, the
    course is full or prerequisites are missing. An existing enrollment is returned
    as is, whatever the rules say now. Concurrent calls are serialised on the course
    row, so capacity holds and the unique constraint is never the one to say no.
    """
    if not user.is_authenticated:
        raise EnrollmentRefused("Log in to enroll.")
    with transaction.atomic():
        # Lock the course's page row: every enrollment in this course waits here in turn.
        Page.objects.select_for_update().filter(pk=course.pk).values_list("pk", flat=True).first()
        existing = Enrollment.objects.filter(user=user, course_id=course.pk).first()
        if existing:
            return existing, False
        reason = enrollment_status(course)
        if reason:
            raise EnrollmentRefused(reason)
        missing = missing_prerequisites(user, course)
        if missing:
            names = ", ".join(f"“{prerequisite.title}”" for prerequisite in missing)
            raise EnrollmentRefused(f"Complete {names} first: this course requires it.")
        if course.capacity is not None and Enrollment.objects.filter(course_id=course.pk).count() >= (
            course.capacity
        ):
            raise EnrollmentRefused("This course is full.")
        try:
            with transaction.atomic():
                return Enrollment.objects.create(user=user, course_id=course.pk), True
        except IntegrityError:
            # Only without row locks (SQLite has none, it serialises writers instead).
            return Enrollment.objects.get(user=user, course_id=course.pk), False


def unenroll(user, course):
    """Remove ``user``'s enrollment in ``course``; returns whether there was one.

    Lesson completions and playback positions are kept, so enrolling again resumes.
    A completed course stays on the student's record: raises EnrollmentRefused.
    """
    enrollment = get_enrollment(user, course)
    if enrollment is None:
        return False
    if enrollment.completed_at:
        raise EnrollmentRefused("You have completed this course, so it stays on your record.")
    enrollment.delete()
    return True


def touch_enrollment(user, course, now=None):
    """Record activity by ``user`` in ``course`` (at most one write a minute, so heartbeats stay cheap)."""
    if not user.is_authenticated or course is None:
        return
    now = now or timezone.now()
    Enrollment.objects.filter(
        user=user, course_id=course.pk, last_activity_at__lt=now - timezone.timedelta(minutes=1)
    ).update(last_activity_at=now)


@dataclass
class Progress:
    """A student's progress through the current published lessons of a course."""

    lessons: list
    completed_ids: set = field(default_factory=set)
    enrollment: Enrollment | None = None

    @property
    def total(self):
        return len(self.lessons)

    @property
    def done(self):
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
    from .services import published_lessons

    lessons = published_lessons(course) if lessons is None else list(lessons)
    completed = _completed_lesson_ids(user, [lesson.pk for lesson in lessons])
    return Progress(lessons=lessons, completed_ids=completed, enrollment=enrollment)


def record_completion_if_done(user, course):
    """Record the time ``user`` completed ``course`` if every current lesson is done.

    The time is written once (an UPDATE guarded by ``completed_at IS NULL``), so
    later calls, even concurrent ones, never move it. Returns the Progress.
    """
    progress = course_progress(user, course)
    if progress.is_complete:
        Enrollment.objects.filter(user=user, course_id=course.pk, completed_at__isnull=True).update(
            completed_at=timezone.now()
        )
    return progress


def lessons_by_course(courses):
    """``{course id: [published lessons in order]}`` for many courses in two queries.

    The same lessons as ``course_outline`` gives each course: live and public, and
    not inside an unpublished module.
    """
    from .services import lesson_model

    courses = list(courses)
    if not courses:
        return {}
    within = reduce(or_, (Q(path__startswith=course.path) for course in courses))
    modules = set(ModulePage.objects.filter(within).live().public().values_list("path", flat=True))
    lessons = lesson_model().objects.filter(within).live().public().defer_streamfields().order_by("path")
    by_path = {course.path: course.pk for course in courses}
    result = {course.pk: [] for course in courses}
    for lesson in lessons:
        parent = lesson.path[: -lesson.steplen]
        if parent in by_path:
            result[by_path[parent]].append(lesson)
        elif parent in modules and parent[: -lesson.steplen] in by_path:
            result[by_path[parent[: -lesson.steplen]]].append(lesson)
    return result


@dataclass
class DashboardEntry:
    course: CoursePage
    enrollment: Enrollment
    progress: Progress


def dashboard_entries(user):
    """The user's enrolled live courses with their Progress, most recent activity first.

    A fixed number of queries (four) however many courses and lessons there are.
    """
    enrollments = list(
        Enrollment.objects.filter(user=user, course__live=True)
        .select_related("course")
        .order_by("-last_activity_at", "-enrolled_at")
    )
    lessons = lessons_by_course(enrollment.course for enrollment in enrollments)
    all_ids = [lesson.pk for course_lessons in lessons.values() for lesson in course_lessons]
    completed = _completed_lesson_ids(user, all_ids)
    return [
        DashboardEntry(
            course=enrollment.course,
            enrollment=enrollment,
            progress=Progress(
                lessons=lessons[enrollment.course_id], completed_ids=completed, enrollment=enrollment
            ),
        )
        for enrollment in enrollments
    ]


def enrollment_counts(courses):
    """Annotate a CoursePage queryset with ``enrolled_count`` and ``completed_count`` (one query)."""
    from django.db.models import Count

    return courses.annotate(
        enrolled_count=Count("enrollments", distinct=True),
        completed_count=Count(
            "enrollments", filter=Q(enrollments__completed_at__isnull=False), distinct=True
        ),
    )


def live_courses():
    """Published, public courses in explorer order."""
    return CoursePage.objects.live().public().order_by("path")


def course_by_id(course_id):
    """The live CoursePage with this id, or None."""
    return CoursePage.objects.live().filter(pk=course_id).first()
