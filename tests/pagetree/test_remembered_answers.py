"""What a process remembers under the content version (routes, the routed page, outlines, a
lesson's course) is dropped as soon as the page tree changes: a student's next view shows the
change, and nothing one request sets on its page reaches the next."""

import pytest
from django.core.cache import cache

from courses.services import enroll
from pagetree import content_version
from tests.factories import UserFactory
from tests.page_fixtures import lessons_of


@pytest.fixture
def student(client, course):
    user = UserFactory(username="remembering")
    enroll(user, course)
    client.force_login(user)
    return user


def test_a_published_title_change_shows_on_the_students_next_view(client, student, course):
    lesson = lessons_of(course)[0]
    client.get(course.url)
    client.get(lesson.url)
    lesson.title = "Renamed while remembered"
    lesson.save_revision().publish()

    assert "Renamed while remembered" in client.get(course.url).content.decode()
    assert "Renamed while remembered" in client.get(lesson.url).content.decode()


def test_an_unpublished_lesson_is_gone_for_the_student_at_once(client, student, course):
    lesson = lessons_of(course)[-1]
    assert client.get(lesson.url).status_code == 200
    lesson.unpublish()

    assert client.get(lesson.url).status_code == 404
    assert lesson.title not in client.get(course.url).content.decode()


def test_each_request_gets_its_own_copy_of_the_remembered_page(rf, course):
    version = content_version.current()
    first = content_version.page(type(course), course.pk)
    first.title = "Changed by one request only"

    second = content_version.page(type(course), course.pk)

    assert content_version.current() == version
    assert second.title == course.title
    assert second is not first


def test_a_new_version_drops_what_the_process_remembered(course):
    version = content_version.current()
    content_version.remember("test:answer", version, "old")
    assert content_version.remembered("test:answer", version) == "old"

    content_version.bump()
    new = content_version.current()

    assert new != version
    assert content_version.remembered("test:answer", new) is content_version.MISSING
    assert content_version.cached("test:answer", lambda: "new", 60) == "new"
    cache.delete(f"test:answer:{new}")


def test_past_its_weight_bound_a_process_starts_afresh(course):
    version = content_version.current()
    content_version.remember("test:small", version, "kept")
    content_version.remember("test:outline", version, ["many lessons"], weight=content_version.MAX_WEIGHT)

    assert content_version.remembered("test:small", version) is content_version.MISSING
    assert content_version.remembered("test:outline", version) == ["many lessons"]
    content_version.forget_remembered()
