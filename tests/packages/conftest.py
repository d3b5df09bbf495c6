"""Lessons that play a package, and a root collection for transactional tests."""

import pytest

from tests.page_fixtures import lessons_of


@pytest.fixture(autouse=True)
def root_collection(request):
    """Transactional tests empty every table, the root collection (made by a migration) too."""
    if request.node.get_closest_marker("django_db") is None:
        return None
    from wagtail.models import Collection

    return Collection.get_first_root_node() or Collection.add_root(name="Root")


def package_lesson(lesson, package, title="", height=500):
    """Give ``lesson`` a body of one package block (published); returns ``(lesson, block id)``."""
    lesson.body = [("package", {"package": package, "title": title, "height": height})]
    lesson.save_revision().publish()
    lesson.refresh_from_db()
    return lesson, lesson.body[0].id


@pytest.fixture
def first_lesson(course):
    return lessons_of(course)[0].specific
