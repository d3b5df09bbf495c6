"""People: students (one enrolled in the default course), an editor, and a browser logged in as one.

Loaded for every test through ``pytest_plugins`` in tests/conftest.py."""

import pytest

from courses.services import enroll
from tests.factories import UserFactory


@pytest.fixture
def student(db):
    return UserFactory(username="student")


@pytest.fixture
def other_student(db):
    return UserFactory(username="other")


@pytest.fixture
def editor(db):
    from django.contrib.auth.models import Group

    user = UserFactory(username="editor")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def enrolled(student, course):
    enroll(student, course)
    return student


def browser_log_in(context, live_server, user):
    """Put a session made by Django's test client into a Playwright browser context."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def make_instructor(username, name=None):
    """A user linked to an Instructor snippet; returns ``(user, instructor)``."""
    from courses.models import Instructor

    user = UserFactory(username=username)
    instructor = Instructor.objects.create(user=user, name=name or username.title())
    return user, instructor


def teach(course, *instructors):
    """Make ``instructors`` the instructors of ``course``, saved as publishing would."""
    course.instructors.set(instructors)
    course.save()
    return course
