"""Student pages within a fixed query budget (issue 21): at most 10 queries for the course page at
5 and 100 lessons, the gated last lesson of each, and the dashboard with 5 courses; no Site
look-up on any of them (the navigation's catalogue link and the dashboard's links included).
Their Redis reads come in at most two round trips (the session with the content version, then
the staff answer): everything kept under the content version is remembered by the process."""

import pytest

from courses.services import enroll
from lessons.models import LessonPage
from tests.factories import CoursePageFactory, LessonPageFactory, ModulePageFactory, UserFactory
from tests.redis_round_trips import counting_redis_round_trips

BUDGET = 10
ROUND_TRIPS = 2


def make_course(catalogue, title, lessons):
    # No cover: the factory's image has no file the renditions can be made from, and the stand-in
    # for a missing file is made afresh on each view, as Wagtail does (a rendition read and a write).
    course = CoursePageFactory(parent=catalogue, title=title, cover_image=None)
    modules = [ModulePageFactory(parent=course, title=f"{title} module {m}") for m in range(5)]
    for n in range(lessons):
        LessonPageFactory(parent=modules[n % 5], title=f"{title} lesson {n}")
    return course


def within_budget(client, url, budget):
    """Fetch ``url`` (after a first view filling the caches) within ``budget`` queries and
    ``ROUND_TRIPS`` round trips to Redis; its SQL."""
    client.get(url)
    with budget(BUDGET) as captured, counting_redis_round_trips() as sent:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert len(sent) <= ROUND_TRIPS, (url, sent)
    return [q["sql"] for q in captured.captured_queries]


@pytest.fixture
def student_client(client, db):
    student = UserFactory(username="budget")
    client.force_login(student)
    client.student = student
    return client


@pytest.mark.parametrize("lessons", [5, 100])
def test_the_course_page_and_its_last_gated_lesson_stay_within_the_budget(
    student_client, catalogue, lessons, django_assert_max_num_queries
):
    course = make_course(catalogue, f"Course of {lessons}", lessons)
    enroll(student_client.student, course)
    last = course.get_descendants().live().type(LessonPage).last()
    for url in (course.url, last.url):
        sql = within_budget(student_client, url, django_assert_max_num_queries)
        assert not [q for q in sql if "wagtailcore_site" in q], url


@pytest.mark.parametrize("lessons", [5, 100])
def test_the_dashboard_with_five_courses_stays_within_the_budget(
    student_client, catalogue, lessons, django_assert_max_num_queries
):
    for n in range(5):
        course = make_course(catalogue, f"Enrolled {n}", lessons)
        enroll(student_client.student, course)
    sql = within_budget(student_client, "/dashboard/", django_assert_max_num_queries)
    assert not [q for q in sql if "wagtailcore_site" in q]
