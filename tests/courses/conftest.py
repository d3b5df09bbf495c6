"""Fixtures for the courses tests."""

from tests.course_fixtures import build_course, catalogue, home  # noqa: F401
