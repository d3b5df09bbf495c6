"""The courses app's models: the page tree, its snippets, and enrollments."""

from .access import CourseAccess
from .enrollment import Enrollment
from .pages import (
    LANGUAGES,
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
from .snippets import Category, Instructor

__all__ = [
    "LANGUAGES",
    "LEVELS",
    "PREVIEW_MODES",
    "Category",
    "CourseAccess",
    "CourseIndexPage",
    "CoursePage",
    "CoursePageForm",
    "CoursePageTag",
    "Enrollment",
    "HiddenSubtreeMixin",
    "Instructor",
    "ModulePage",
    "course_of",
    "prerequisite_closure",
    "prerequisite_problem",
    "serve_preview_as",
]
