"""Query budgets for a logged-in, enrolled student: at most 10 queries per page, whatever the size.

Each page is asked once to fill the caches (routes, the Site, the outline, the staff
answer), then counted: that is what every later student request costs.
"""

import pytest

from courses.services import enroll
from tests.courses.test_queries import make_course
from tests.factories import UserFactory

BUDGET = 10


@pytest.fixture(params=[5, 100], ids=["5 lessons", "100 lessons"])
def student_course(request, catalogue, client):
    course = make_course(catalogue, "Budget", request.param)
    student = UserFactory(username="budget-student")
    enroll(student, course)
    client.force_login(student)
    return course


def within_budget(client, url, django_assert_max_num_queries, **params):
    assert client.get(url, params).status_code == 200
    with django_assert_max_num_queries(BUDGET):
        response = client.get(url, params)
    assert response.status_code == 200
    return response


def test_enrolled_course_page_is_within_budget(client, student_course, django_assert_max_num_queries):
    response = within_budget(client, student_course.url, django_assert_max_num_queries)
    assert len(response.context["outline"].lessons) in (5, 100)


def test_enrolled_gated_lesson_page_is_within_budget(client, student_course, django_assert_max_num_queries):
    last = student_course.get_descendants().live().last()
    assert not last.specific.free_preview
    response = within_budget(client, last.url, django_assert_max_num_queries)
    assert response.context["page"].pk == last.pk


def test_catalogue_is_within_budget(client, student_course, catalogue, django_assert_max_num_queries):
    within_budget(client, catalogue.url, django_assert_max_num_queries)
    within_budget(client, catalogue.url, django_assert_max_num_queries, q="budget")


def test_dashboard_is_within_budget(client, student_course, django_assert_max_num_queries):
    response = within_budget(client, "/dashboard/", django_assert_max_num_queries)
    assert student_course.title in response.content.decode()


def test_home_page_is_within_budget(client, student_course, django_assert_max_num_queries):
    within_budget(client, "/", django_assert_max_num_queries)


def test_a_new_lesson_shows_in_the_cached_outline_once_published(client, student_course):
    from tests.factories import LessonPageFactory

    client.get(student_course.url)
    module = student_course.get_children().first()
    LessonPageFactory(parent=module, title="Brand new lesson")
    assert "Brand new lesson" in client.get(student_course.url).content.decode()


def test_an_unpublished_lesson_leaves_the_cached_outline(client, student_course):
    lesson = student_course.get_descendants().live().last().specific
    assert lesson.title in client.get(student_course.url).content.decode()
    lesson.unpublish()
    assert lesson.title not in client.get(student_course.url).content.decode()


def test_staff_answer_follows_group_changes(client, student_course, django_assert_max_num_queries):
    from django.contrib.auth.models import Group, Permission

    from accounts.services import is_staff

    student = student_course.enrollments.get().user
    assert is_staff(student) is False
    editors = Group.objects.create(name="Budget editors")
    editors.permissions.add(Permission.objects.get(codename="access_admin"))
    student.groups.add(editors)
    student = type(student).objects.get(pk=student.pk)  # a fresh user object, as the next request has
    assert is_staff(student) is True
