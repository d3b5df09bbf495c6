"""What other apps may ask of ``courses``: the functions below, and the models in ``courses.models``.

Other apps import only this module and ``courses.models`` (import-linter enforces it); the
rules themselves live in modules named for them: ``outline`` (lesson order, previous and
next), ``enrollment`` (who may enroll), ``progress`` (completion), ``learner`` (the
request-scoped learner context), ``visibility`` (which pages visitors can reach).
"""

from .enrollment import (
    EnrollmentRefused,
    course_by_id,
    enroll,
    enrollment_counts,
    get_enrollment,
    is_enrolled,
    live_courses,
    touch_enrollment,
    unenroll,
)
from .learner import CourseLearner, course_learner, request_scoped
from .models import PREVIEW_MODES, course_of, serve_preview_as
from .outline import format_minutes, opens_on_text, register_lesson_model
from .progress import (
    Progress,
    course_progress,
    dashboard_entries,
    lesson_scores,
    record_completion_if_done,
    register_completion_source,
    register_score_source,
)
from .visibility import is_reachable, visible_pages

__all__ = [
    "PREVIEW_MODES",
    "CourseLearner",
    "EnrollmentRefused",
    "Progress",
    "course_by_id",
    "course_learner",
    "course_of",
    "course_progress",
    "dashboard_entries",
    "enroll",
    "enrollment_counts",
    "format_minutes",
    "get_enrollment",
    "is_enrolled",
    "is_reachable",
    "lesson_scores",
    "live_courses",
    "opens_on_text",
    "published_lessons",
    "record_completion_if_done",
    "register_completion_source",
    "register_lesson_model",
    "register_score_source",
    "request_scoped",
    "serve_preview_as",
    "touch_enrollment",
    "unenroll",
    "visible_pages",
]


def published_lessons(course):
    """The lessons of ``course`` a visitor can read, in the order students take them."""
    return course.get_outline().lessons
