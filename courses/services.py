"""What other apps may ask of ``courses``: the functions below, and the models in ``courses.models``.

Other apps import only this module and ``courses.models`` (import-linter enforces it); the
rules themselves live in modules named for them: ``outline`` (lesson order, previous and
next), ``enrollment`` (who may enroll), ``progress`` (completion), ``learner`` (the
request-scoped learner context), ``visibility`` (which pages visitors can reach).
"""

from .certificates import completions_without_certificate
from .enrollment import (
    EnrollmentRefused,
    course_by_id,
    enroll,
    enrollment_counts,
    get_enrollment,
    is_enrolled,
    live_courses,
    touch_enrollment,
    touch_enrollments,
    unenroll,
)
from .learner import CourseLearner, course_learner, register_course_reader, request_scoped
from .lesson_source import LESSON_FIELDS, Lesson, LessonSource, register_lesson_source
from .models import PREVIEW_MODES, course_of, serve_preview_as
from .models.review import approval_problems, register_approval_check
from .outline import format_minutes, opens_on_text
from .progress import (
    Progress,
    course_progress,
    courses_in_progress,
    dashboard_entries,
    learner_records_changed,
    lesson_scores,
    record_completion_if_done,
    register_score_source,
)
from .showcase import course_categories, featured_courses
from .visibility import is_reachable, visible_pages

__all__ = [
    "LESSON_FIELDS",
    "PREVIEW_MODES",
    "CourseLearner",
    "EnrollmentRefused",
    "Lesson",
    "LessonSource",
    "Progress",
    "approval_problems",
    "completions_without_certificate",
    "course_by_id",
    "course_categories",
    "course_learner",
    "course_of",
    "course_progress",
    "courses_in_progress",
    "dashboard_entries",
    "enroll",
    "enrollment_counts",
    "featured_courses",
    "format_minutes",
    "get_enrollment",
    "is_enrolled",
    "is_reachable",
    "learner_records_changed",
    "lesson_scores",
    "live_courses",
    "opens_on_text",
    "published_lessons",
    "record_completion_if_done",
    "register_approval_check",
    "register_course_reader",
    "register_lesson_source",
    "register_score_source",
    "request_scoped",
    "serve_preview_as",
    "touch_enrollment",
    "touch_enrollments",
    "unenroll",
    "visible_pages",
]


def published_lessons(course):
    """The lessons of ``course`` a visitor can read, in the order students take them."""
    return course.get_outline().lessons
