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


@pytest.fixture
def wagtail_tree(transactional_db):
    """Wagtail's migration-created rows (default locale, root page, root collection).

    A transactional test flushes the database when it ends, taking these with it,
    so a later transactional test that builds pages puts them back first.
    """
    from wagtail.models import Collection, Locale, Page

    Locale.objects.get_or_create(language_code="en")
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root", live=True))
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
