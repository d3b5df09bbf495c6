"""The courses app's models: the page tree, its snippets, enrollments and certificates."""

from .access import CourseAccess
from .certificates import Certificate
from .enrollment import Enrollment
from .notifications import InstructorDigest, StudentReminder
from .pages import (
    LEVELS,
    PREVIEW_MODES,
    CourseIndexPage,
    CoursePage,
    CoursePageForm,
    CoursePageTag,
    HiddenSubtreeMixin,
    ModulePage,
    course_of,
    prerequisite_closure,
    prerequisite_problem,
    serve_preview_as,
)
from .review import CourseReviewTask
from .snippets import Category, Instructor

__all__ = [
    "LEVELS",
    "PREVIEW_MODES",
    "Category",
    "Certificate",
    "CourseAccess",
    "CourseIndexPage",
    "CoursePage",
    "CoursePageForm",
    "CoursePageTag",
    "CourseReviewTask",
    "Enrollment",
    "HiddenSubtreeMixin",
    "Instructor",
    "InstructorDigest",
    "ModulePage",
    "StudentReminder",
    "course_of",
    "prerequisite_closure",
    "prerequisite_problem",
    "serve_preview_as",
]
