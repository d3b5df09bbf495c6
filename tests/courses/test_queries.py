"""Query budgets: the course page and the catalogue cost the same whatever their size (no N+1)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.services import enroll
from tests.factories import (
    CategoryFactory,
    CoursePageFactory,
    LessonPageFactory,
    ModulePageFactory,
    UserFactory,
)


def queries_for(client, url, **params):
    client.get(url, params)  # renditions and caches are created on the first view
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


def make_course(catalogue, title, lessons):
    course = CoursePageFactory(parent=catalogue, title=title)
    modules = [ModulePageFactory(parent=course, title=f"{title} module {m}") for m in range(5)]
    for n in range(lessons):
        LessonPageFactory(parent=modules[n % 5], title=f"{title} lesson {n}")
    return course


def test_course_page_queries_do_not_grow_with_lessons(client, catalogue):
    small = make_course(catalogue, "Small", 5)
    large = make_course(catalogue, "Large", 50)
    assert len(large.get_descendants().live()) == 55
    assert queries_for(client, small.url) == queries_for(client, large.url)


def test_lesson_page_queries_do_not_grow_with_lessons(client, catalogue):
    small = make_course(catalogue, "Small", 5)
    large = make_course(catalogue, "Large", 50)
    # Lessons are for enrolled students: read them as one, with gating and progress in the count.
    student = UserFactory(username="reader")
    enroll(student, small)
    enroll(student, large)
    client.force_login(student)
    small_lesson = small.get_descendants().live().last()
    large_lesson = large.get_descendants().live().last()
    assert queries_for(client, small_lesson.url) == queries_for(client, large_lesson.url)


def test_catalogue_queries_do_not_grow_with_courses(client, catalogue):
    few, many = CategoryFactory(slug="few"), CategoryFactory(slug="many")
    for n in range(3):
        course = CoursePageFactory(parent=catalogue, title=f"Quokka {n}", category=few)
        LessonPageFactory(parent=course)
    for n in range(30):
        course = CoursePageFactory(parent=catalogue, title=f"Wombat {n}", category=many)
        LessonPageFactory(parent=course)
    catalogue.courses_per_page = 50
    catalogue.save()
    assert queries_for(client, catalogue.url, category="few") == queries_for(
        client, catalogue.url, category="many"
    )
    assert queries_for(client, catalogue.url, q="quokka") == queries_for(client, catalogue.url, q="wombat")
