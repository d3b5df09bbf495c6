"""Fixtures and helpers for the students tests (enrollment, gating, progress); import what you use."""

import pytest
from django.core.files.base import ContentFile
from wagtailmedia import get_media_model

from courses.services import enroll
from tests.factories import LessonPageFactory, UserFactory


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
def course(build_course):
    """A course of two modules with two lessons each."""
    return build_course("Wagtail basics", modules=2, per_module=2)


@pytest.fixture
def enrolled(student, course):
    enroll(student, course)
    return student


def lessons_of(course):
    from courses.services import published_lessons

    return published_lessons(course)


def make_media(title="Clip", media_type="video", content=b"not really a video", name="clip.mp4"):
    """A media library item; the bytes only matter to tests that play it."""
    return get_media_model().objects.create(
        title=title, type=media_type, file=ContentFile(content, name=name), duration=10
    )


def video_lesson(parent, media, *, extra_blocks=(), **fields):
    """A lesson whose body is one video block of ``media`` (plus ``extra_blocks``)."""
    body = [("video", {"video": media, "caption": "", "transcript": ""}), *extra_blocks]
    lesson = LessonPageFactory(parent=parent, **fields)
    lesson.body = body
    lesson.save_revision().publish()
    lesson.refresh_from_db()
    return lesson


def browser_log_in(context, live_server, user):
    """Put a session made by Django's test client into a Playwright browser context."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
