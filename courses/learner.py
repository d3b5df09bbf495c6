"""The learner context: what one request's user has to do with one course, computed once.

The course page's template tags, the lessons app's gate hook and lesson context, and the
media access decision all read the same ``CourseLearner`` for a request (``course_learner``),
so a page asks "is this student enrolled?" and "which lessons are done?" once, however many
places show the answer. Each fact is computed when first read.
"""

from dataclasses import dataclass
from functools import cached_property

from accounts.services import is_staff

from .enrollment import enrollment_status, get_enrollment, missing_prerequisites
from .progress import Progress, completed_lesson_ids

_CACHE_ATTRIBUTE = "_ringlet_learners"


def request_scoped(request, key, build):
    """``build()`` once per request and ``key``; later calls in the same request get the same object.

    Requests without attributes (none in practice) get a fresh object each time.
    """
    cache = request.__dict__.setdefault(_CACHE_ATTRIBUTE, {})
    if key not in cache:
        cache[key] = build()
    return cache[key]


@dataclass
class CourseLearner:
    """One user (anonymous included) and one course."""

    user: object
    course: object

    @cached_property
    def is_staff(self):
        """Staff see every lesson without enrolling (the one staff rule, ``accounts.services.is_staff``)."""
        return is_staff(self.user)

    @cached_property
    def enrollment(self):
        return get_enrollment(self.user, self.course)

    @property
    def enrolled(self):
        return self.enrollment is not None

    @property
    def reads_every_lesson(self):
        """Staff and enrolled students read every published lesson; others only free previews."""
        return self.is_staff or self.enrolled

    @cached_property
    def progress(self):
        """The student's Progress over the course's published lessons; None without an enrollment."""
        if not self.enrolled:
            return None
        lessons = self.course.outline.lessons
        completed = completed_lesson_ids(self.user, [lesson.pk for lesson in lessons])
        return Progress(lessons=lessons, completed_ids=completed, enrollment=self.enrollment)

    @property
    def completed_ids(self):
        return self.progress.completed_ids if self.progress else set()

    @cached_property
    def closed_reason(self):
        """Why nobody can enroll right now (window), or None."""
        return enrollment_status(self.course)

    @cached_property
    def missing_prerequisites(self):
        if not self.user.is_authenticated or self.enrolled:
            return ()
        return tuple(missing_prerequisites(self.user, self.course))

    @cached_property
    def is_full(self):
        course = self.course
        if course.capacity is None or self.enrolled or self.closed_reason:
            return False
        return course.enrollments.count() >= course.capacity

    @cached_property
    def places_left(self):
        """Free places in a course with a capacity (never below 0), or None without one."""
        if self.course.capacity is None:
            return None
        return max(0, self.course.capacity - self.course.enrollments.count())


def course_learner(request, course):
    """The request's CourseLearner for ``course`` (the same object every time in one request).

    ``course`` may be None (a lesson outside any course): nobody is enrolled in it then.
    """
    key = ("course", course.pk if course is not None else None)
    return request_scoped(request, key, lambda: CourseLearner(request.user, course))
