"""The admin page explorer of a course lists its lessons in a number of queries that does not
grow with the number of lessons (issue 10: a 200-lesson course must open in under a second;
the timing itself is in bench/RESULTS.md)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import CoursePageFactory, LessonPageFactory, UserFactory


def course_of(catalogue, title, lessons):
    course = CoursePageFactory(parent=catalogue, title=title)
    for n in range(lessons):
        LessonPageFactory(parent=course, title=f"{title} lesson {n}", free_preview=n == 0)
    return course


def explorer_queries(client, course, **params):
    url = f"/admin/pages/{course.pk}/"
    assert client.get(url, params).status_code == 200  # fills the per-process caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.mark.parametrize("params", [{}, {"ordering": "ord"}], ids=["listing", "reorder view"])
def test_the_explorer_of_a_course_costs_the_same_queries_for_5_and_50_lessons(client, catalogue, params):
    admin = UserFactory(username="explorer-admin", is_superuser=True, is_staff=True)
    client.force_login(admin)
    small, large = course_of(catalogue, "Small", 5), course_of(catalogue, "Large", 50)
    small_queries, small_html = explorer_queries(client, small, **params)
    large_queries, large_html = explorer_queries(client, large, **params)
    assert "Small lesson 4" in small_html
    assert "Large lesson 49" in large_html  # every lesson listed (50 fit on one page)
    assert large_queries == small_queries
