"""Fixtures shared by tests/courses and tests/lessons (imported by their conftest.py)."""

import pytest

from tests.factories import CourseIndexPageFactory, CoursePageFactory, LessonPageFactory, ModulePageFactory


@pytest.fixture
def home(db):
    from home.demo import ensure_home_page

    return ensure_home_page()


@pytest.fixture
def catalogue(home):
    return CourseIndexPageFactory(parent=home)


@pytest.fixture
def build_course(catalogue):
    """Build a course with ``modules`` modules of ``per_module`` lessons each (plus ``direct`` lessons)."""

    def build(title="Wagtail basics", modules=2, per_module=2, direct=0, minutes=10, **fields):
        course = CoursePageFactory(parent=catalogue, title=title, **fields)
        for m in range(modules):
            module = ModulePageFactory(parent=course, title=f"{title} module {m + 1}")
            for n in range(per_module):
                LessonPageFactory(
                    parent=module, title=f"{title} lesson {m + 1}.{n + 1}", estimated_minutes=minutes
                )
        for n in range(direct):
            LessonPageFactory(parent=course, title=f"{title} extra {n + 1}", estimated_minutes=minutes)
        return course

    return build
