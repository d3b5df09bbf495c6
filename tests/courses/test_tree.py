"""The page tree's rules and the course model's validation."""

import pytest
from django.core.exceptions import ValidationError

from courses import services
from courses.models import CourseIndexPage, CoursePage, ModulePage
from home.models import HomePage
from lessons.models import LessonPage
from tests.factories import CoursePageFactory, LessonPageFactory, ModulePageFactory


def test_a_lesson_cannot_be_created_under_the_home_page(home):
    assert not LessonPage.can_create_at(home)
    assert LessonPage not in home.specific_class.creatable_subpage_models()


def test_a_module_only_goes_under_a_course(catalogue, build_course):
    course = build_course(modules=1, per_module=1)
    module = course.get_children().first()
    assert ModulePage.can_create_at(course)
    assert not ModulePage.can_create_at(catalogue)
    assert not ModulePage.can_create_at(catalogue.get_parent())
    assert not ModulePage.can_create_at(module)


def test_courses_go_only_in_the_catalogue_and_the_catalogue_only_under_home(home, catalogue):
    assert CourseIndexPage.can_create_at(home)
    assert not CourseIndexPage.can_create_at(catalogue)
    assert CoursePage.can_create_at(catalogue)
    assert not CoursePage.can_create_at(home)
    assert not HomePage.can_create_at(catalogue)


def test_lessons_go_in_a_course_or_a_module_and_hold_nothing(build_course):
    course = build_course(modules=1, per_module=1)
    module = course.get_children().first()
    lesson = module.get_children().first()
    assert LessonPage.can_create_at(course)
    assert LessonPage.can_create_at(module)
    assert not LessonPage.can_create_at(lesson.specific)
    assert not ModulePage.can_create_at(lesson.specific)


def test_a_course_cannot_require_itself(catalogue):
    course = CoursePageFactory(parent=catalogue)
    course.prerequisites = [course]
    with pytest.raises(ValidationError) as error:
        course.full_clean()
    assert error.value.message_dict["prerequisites"] == ["A course cannot require itself."]


def test_a_course_cannot_require_a_course_that_requires_it(catalogue):
    first = CoursePageFactory(parent=catalogue)
    second = CoursePageFactory(parent=catalogue)
    second.prerequisites = [first]
    second.save()
    first.prerequisites = [second]
    with pytest.raises(ValidationError) as error:
        first.full_clean()
    assert "loop" in error.value.message_dict["prerequisites"][0]


def test_other_courses_are_valid_prerequisites(catalogue):
    first = CoursePageFactory(parent=catalogue)
    second = CoursePageFactory(parent=catalogue)
    second.prerequisites = [first]
    second.full_clean()
    second.save()
    assert list(CoursePage.objects.get(pk=second.pk).prerequisites.all()) == [first]


def test_lesson_order_is_the_explorer_order_across_modules(build_course):
    course = build_course(title="Order", modules=2, per_module=2, direct=1)
    titles = [lesson.title for lesson in services.published_lessons(course)]
    assert titles == [
        "Order lesson 1.1",
        "Order lesson 1.2",
        "Order lesson 2.1",
        "Order lesson 2.2",
        "Order extra 1",
    ]

    # The instructor drags lesson 2.2 before 2.1 in the explorer.
    second_module = ModulePage.objects.child_of(course).get(title="Order module 2")
    lesson_21, lesson_22 = LessonPage.objects.child_of(second_module).order_by("path")
    lesson_22.move(lesson_21, pos="left")
    titles = [lesson.title for lesson in services.published_lessons(course)]
    assert titles[2:4] == ["Order lesson 2.2", "Order lesson 2.1"]


def test_outline_leaves_out_unpublished_lessons_and_lessons_of_unpublished_modules(build_course):
    course = build_course(title="Hidden", modules=2, per_module=2)
    first_module, second_module = ModulePage.objects.child_of(course).order_by("path")
    LessonPage.objects.child_of(first_module).order_by("path").first().unpublish()
    # Unpublished on its own: its lessons stay live but visitors cannot reach them.
    ModulePage.objects.filter(pk=second_module.pk).update(live=False)

    outline = course.outline
    assert [s.module.title for s in outline.sections] == ["Hidden module 1"]
    assert [lesson.title for lesson in outline.lessons] == ["Hidden lesson 1.2"]
    assert outline.minutes == 10


def test_a_module_without_published_lessons_still_appears_in_its_place(catalogue):
    course = CoursePageFactory(parent=catalogue, title="Sparse")
    LessonPageFactory(parent=course, title="Intro")
    ModulePageFactory(parent=course, title="Coming soon")
    LessonPageFactory(parent=course, title="Outro")
    outline = course.outline
    assert [
        (s.module.title if s.module else None, [lesson.title for lesson in s.lessons])
        for s in outline.sections
    ] == [
        (None, ["Intro"]),
        ("Coming soon", []),
        (None, ["Outro"]),
    ]


def test_course_of_finds_the_course_from_a_module_or_a_lesson(build_course):
    course = build_course(modules=1, per_module=1)
    module = ModulePage.objects.child_of(course).get()
    lesson = LessonPage.objects.child_of(module).get()
    assert services.course_of(lesson) == course
    assert services.course_of(module) == course
    assert services.course_of(course) == course
    assert services.course_of(course.get_parent()) is None
