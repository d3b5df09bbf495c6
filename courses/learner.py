"""The learner context: what one request's user has to do with one course, computed once.

The course page's template tags, the lessons app's gate hook and lesson context, and the
media access decision all read the same ``CourseLearner`` for a request (``course_learner``),
so a page asks "is this student enrolled?" and "which lessons are done?" once, however many
places show the answer. Each fact is computed when first read.
"""

from dataclasses import dataclass
from functools import cached_property

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from accounts.services import is_staff, works_on

from .enrollment import enrollment_status, missing_prerequisites, places_left, remembered_enrollment
from .lesson_source import lesson_source
from .models import Enrollment
from .progress import Progress, remembered_completed_ids, remembered_lesson_scores

_CACHE_ATTRIBUTE = "_ringlet_learners"
_course_readers = []


def register_course_reader(check):
    """Add ``check(user, course) -> bool``: whether a logged-in ``user`` reads every published lesson
    of ``course`` as its instructor does, without enrolling (drip release included; drafts not).

    For an app above courses that knows of such readers (``lti``: a platform's instructors of a
    course that links this one), registered in its ``ready()``. Asked only of logged-in users
    who are not enrolled, once per learner context.
    """
    if check not in _course_readers:
        _course_readers.append(check)


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
    # A preview judges a draft as if it were published (``lessons.access.may_read``).
    previewing: bool = False

    @cached_property
    def is_staff(self):
        """Whether the user works on the site at all (``accounts.services.is_staff``, cached per user):
        the question asked first, so a student's page asks no permission query."""
        return is_staff(self.user)

    def works_on(self, page):
        """Whether the user reads ``page`` as its staff do, without enrolling, drafts included
        (``accounts.services.works_on``: pages they may edit; every page for editors)."""
        return self.is_staff and works_on(self.user, page)

    @cached_property
    def enrollment(self):
        return remembered_enrollment(self.user, self.course)

    @property
    def enrolled(self):
        return self.enrollment is not None

    @cached_property
    def reads_as_instructor(self):
        """Whether a registered course reader (``register_course_reader``) lets the user read every
        published lesson of the course without enrolling."""
        if not self.user.is_authenticated or self.course is None or self.enrolled:
            return False
        return any(check(self.user, self.course) for check in _course_readers)

    @property
    def reads_every_lesson(self):
        """The course's staff, enrolled students and registered readers (a platform's instructors)
        read every published lesson (a drip lesson once it opens, which the outline says); others
        only free previews."""
        return self.works_on(self.course) or self.enrolled or self.reads_as_instructor

    @cached_property
    def progress(self):
        """The student's Progress over the course's published lessons; None without an enrollment."""
        if not self.enrolled:
            return None
        lessons = self.course.outline.lessons
        completed = remembered_completed_ids(self.user, [lesson.pk for lesson in lessons])
        return Progress(lessons=lessons, completed_ids=completed, enrollment=self.enrollment)

    @property
    def completed_ids(self):
        return self.progress.completed_ids if self.progress else set()

    @cached_property
    def lesson_scores(self):
        """``{lesson id: percent}`` the student scored in the course's lessons (registered sources:
        SCORM and H5P packages); empty unless enrolled."""
        if not self.enrolled or self.user.pk is None:
            return {}
        return remembered_lesson_scores(self.user, [lesson.pk for lesson in self.course.outline.lessons])

    @property
    def enrolled_at(self):
        """When the student enrolled (drip release counts from it), or None."""
        return self.enrollment.enrolled_at if self.enrollment else None

    def opens_at(self, lesson):
        """When a drip-released ``lesson`` opens for this student (the lessons app's rule,
        ``LessonSource.opens_at``, from their enrollment), or None when drip release does not
        apply to them (not enrolled, or reading it as its staff)."""
        if not self.enrolled or self.works_on(lesson):
            return None
        return lesson_source().opens_at(lesson, self.enrolled_at)

    def still_closed_until(self, lesson, now=None):
        """``opens_at(lesson)`` if that is still to come, else None."""
        opens = self.opens_at(lesson)
        return opens if opens is not None and (now or timezone.now()) < opens else None

    @cached_property
    def opens_on(self):
        """``{lesson id: when it opens}`` for the outline's lessons still closed to this student."""
        if self.course is None:
            return {}
        now = timezone.now()
        dates = {lesson.pk: self.still_closed_until(lesson, now) for lesson in self.course.outline.lessons}
        return {pk: date for pk, date in dates.items() if date is not None}

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
        """Whether the course has no place left for this user (not already enrolled, window open)."""
        if self.enrolled or self.closed_reason:
            return False
        return self.places_left == 0

    @cached_property
    def places_left(self):
        """Free places in a course with a capacity (never below 0), or None without one."""
        return places_left(self.course)


def course_learner(request, course):
    """The request's CourseLearner for ``course`` (the same object every time in one request).

    ``course`` may be None (a lesson outside any course): nobody is enrolled in it then.
    """
    key = ("course", course.pk if course is not None else None)
    return request_scoped(request, key, lambda: build_learner(request, course))


# --- Previews as a visitor or a student (``PREVIEW_MODES`` of CoursePage and LessonPage) ----


class SampleLearner(CourseLearner):
    """A made-up student enrolled today who has completed the first third of the lessons
    (at least one when there are two or more): what the "As an enrolled student" preview shows.
    Nothing of it is saved."""

    @cached_property
    def is_staff(self):
        return False

    @cached_property
    def enrollment(self):
        return Enrollment(course_id=self.course.pk, enrolled_at=timezone.now())

    @cached_property
    def progress(self):
        lessons = self.course.outline.lessons
        count = len(lessons) // 3 or (1 if len(lessons) > 1 else 0)
        done = {lesson.pk for lesson in lessons[:count]}
        return Progress(lessons=lessons, completed_ids=done, enrollment=self.enrollment)

    missing_prerequisites = ()
    is_full = False
    reads_as_instructor = False


def sample_student():
    """An unsaved user standing for the sample student of a preview."""
    return get_user_model()(username="sample-student", first_name="Sample", last_name="Student")


def build_learner(request, course):
    """The learner context a request gets: its own user's, except in a Wagtail preview in one
    of ``PREVIEW_MODES``, where it is an anonymous visitor's or a sample enrolled student's,
    judging the draft as if it were published."""
    mode = getattr(request, "preview_mode", None) if getattr(request, "is_preview", False) else None
    if mode == "visitor":
        return CourseLearner(AnonymousUser(), course, previewing=True)
    if mode == "student":
        return SampleLearner(sample_student(), course, previewing=True)
    return CourseLearner(request.user, course)
