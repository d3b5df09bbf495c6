"""Reading a lesson: breadcrumb, outline sidebar, previous and next across modules, hidden lessons."""

import re

import pytest
from wagtail.models import PageViewRestriction

from courses.models import ModulePage
from courses.services import enroll, published_lessons
from lessons.models import LessonPage
from tests.factories import CoursePageFactory, LessonPageFactory


def lesson(title):
    return LessonPage.objects.get(title=title)


@pytest.fixture
def course(build_course):
    return build_course(title="Nav", modules=2, per_module=2)


@pytest.fixture
def reader(client, student, course):
    """A client logged in as a student enrolled in the Nav course: only they may read its lessons."""
    enroll(student, course)
    client.force_login(student)
    return client


def test_next_and_previous_cross_module_boundaries(reader, course):
    html = reader.get(lesson("Nav lesson 1.2").url).content.decode()
    assert f'rel="next" href="{lesson("Nav lesson 2.1").url}"' in html
    assert f'rel="prev" href="{lesson("Nav lesson 1.1").url}"' in html
    middle = lesson("Nav lesson 2.1")
    assert middle.course.outline.neighbours(middle) == (
        lesson("Nav lesson 1.2"),
        lesson("Nav lesson 2.2"),
    )


def test_first_lesson_has_no_previous_and_last_leads_back_to_the_course(reader, course):
    first = reader.get(lesson("Nav lesson 1.1").url).content.decode()
    assert 'rel="prev"' not in first
    assert "Lesson 1 of 4" in first
    last = reader.get(lesson("Nav lesson 2.2").url).content.decode()
    assert 'rel="next"' not in last
    assert f'href="{course.url}">Back to the course</a>' in last


def test_lesson_page_has_breadcrumb_and_outline_with_the_current_lesson_marked(reader, course):
    current = lesson("Nav lesson 2.1")
    html = reader.get(current.url).content.decode()
    module = ModulePage.objects.get(title="Nav module 2")
    breadcrumb = html.split('aria-label="Breadcrumb"')[1].split("</nav>")[0]
    assert (
        "Courses" in breadcrumb
        and f'href="{course.url}"' in breadcrumb
        and f'href="{module.url}"' in breadcrumb
    )
    assert f'<a href="{current.url}" aria-current="page">Nav lesson 2.1</a>' in html
    assert len(re.findall(r'class="outline__lesson[ "]', html)) == 4
    assert '<aside class="lesson-sidebar" aria-labelledby="outline-title">' in html


def test_unpublished_lessons_are_skipped_by_next(reader, course):
    lesson("Nav lesson 2.1").unpublish()
    html = reader.get(lesson("Nav lesson 1.2").url).content.decode()
    assert f'rel="next" href="{lesson("Nav lesson 2.2").url}"' in html
    assert "Nav lesson 2.1" not in html


def test_lessons_below_a_draft_course_or_unpublished_module_are_not_served(reader, catalogue, course):
    draft = CoursePageFactory(parent=catalogue, title="Draft", live=False)
    hidden = LessonPageFactory(parent=draft, title="Under a draft")
    assert reader.get(hidden.url).status_code == 404
    ModulePage.objects.filter(title="Nav module 2").update(live=False)
    assert reader.get(lesson("Nav lesson 2.1").url).status_code == 404
    assert reader.get(lesson("Nav lesson 1.1").url).status_code == 200


def test_lessons_of_a_private_course_ask_for_the_password(client, catalogue, student):
    private = CoursePageFactory(parent=catalogue, title="Private")
    secret = LessonPageFactory(parent=private, body=[("paragraph", "<p>Members only text</p>")])
    # Even a student enrolled in the course must give the password Wagtail asks for.
    enroll(student, private)
    client.force_login(student)
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.PASSWORD, password="pw"
    )
    response = client.get(secret.url)
    assert "Members only text" not in response.content.decode()
    assert 'name="password"' in response.content.decode()


def test_services_list_lessons_in_order_and_find_their_course(course):
    titles = [item.title for item in published_lessons(course)]
    assert titles == ["Nav lesson 1.1", "Nav lesson 1.2", "Nav lesson 2.1", "Nav lesson 2.2"]
    assert lesson("Nav lesson 2.2").course == course
    assert lesson("Nav lesson 1.1").free_preview is False


def test_module_page_lists_its_lessons_with_a_breadcrumb(client, course):
    module = ModulePage.objects.get(title="Nav module 1")
    html = client.get(module.url).content.decode()
    assert f'<a href="{lesson("Nav lesson 1.1").url}">Nav lesson 1.1</a>' in html
    assert "Nav lesson 2.1" not in html
    assert f'<li><a href="{course.url}">Nav</a></li>' in html
