"""The one seam between courses and lessons: a typed lesson source, checked at start-up."""

import pytest
from django.contrib.auth.models import Group

from courses import lesson_source
from courses.models import ModulePage
from lessons.course_source import LessonPages
from lessons.models import LessonPage


@pytest.fixture
def registered(monkeypatch):
    """Lets a test swap the registered source; the real one comes back afterwards."""
    monkeypatch.setattr(lesson_source, "_source", lesson_source._source)
    return lesson_source


def test_the_lessons_app_registers_its_lesson_pages_and_the_checks_pass():
    source = lesson_source.lesson_source()
    assert isinstance(source, LessonPages) and source.model is LessonPage
    assert lesson_source.check_lesson_source() == []


def test_without_a_source_start_up_fails_with_a_named_error(registered):
    registered._source = None
    assert [error.id for error in registered.check_lesson_source()] == ["courses.E001"]
    with pytest.raises(Exception, match="No lesson source is registered"):
        registered.lesson_model()


def test_a_model_that_is_not_a_page_or_lacks_the_fields_courses_reads_is_refused(registered):
    class NotAPage(LessonPages):
        model = Group

    class ModulesAsLessons(LessonPages):
        model = ModulePage

    registered.register_lesson_source(NotAPage())
    assert [error.id for error in registered.check_lesson_source()] == ["courses.E002"]
    registered.register_lesson_source(ModulesAsLessons())
    errors = registered.check_lesson_source()
    assert {error.id for error in errors} == {"courses.E003"}
    # ModulePage has a summary; it lacks the other three fields courses reads of a lesson.
    assert sorted(error.msg.split("'")[1] for error in errors) == [
        "estimated_minutes",
        "free_preview",
        "opens_after_days",
    ]


def test_something_that_is_not_a_lesson_source_cannot_be_registered(registered):
    with pytest.raises(TypeError, match="is not a LessonSource"):
        registered.register_lesson_source(object())
