"""Fixtures for the courses tests."""

from tests.course_fixtures import build_course, catalogue, home  # noqa: F401
from tests.student_fixtures import course, editor, enrolled, other_student, student  # noqa: F401
