"""A student's own records and user row kept in the cache (``accounts.user_answers``,
``accounts.middleware``): no query for them on a second view, and never an answer from before a
write to them, whichever path wrote it."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import user_answers
from accounts.services import forget_for_user, remember_for_user
from courses.models import Enrollment
from lessons.models import LessonCompletion
from lessons.services import set_lesson_complete
from tests.page_fixtures import lessons_of

# The tables a student's page would read their own records from.
OWN_TABLES = ("auth_user", "courses_enrollment", "lessons_lessoncompletion", "packages_attempt")


def progress_value(html):
    match = re.search(r'<progress [^>]*max="(\d+)" value="(\d+)"', html)
    assert match, "no progress bar"
    return int(match.group(2))


@pytest.fixture
def student_client(client, enrolled):
    client.force_login(enrolled)
    client.student = enrolled
    return client


def test_a_students_pages_ask_the_database_nothing_about_them_on_a_second_view(student_client, course):
    for url in (course.url, lessons_of(course)[-1].url, "/dashboard/"):
        assert student_client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as queries:
            assert student_client.get(url).status_code == 200
        own = [q["sql"] for q in queries.captured_queries if any(t in q["sql"] for t in OWN_TABLES)]
        assert own == [], url


def test_a_completion_written_by_any_path_shows_on_the_next_view(student_client, course):
    first, second = lessons_of(course)[:2]
    assert progress_value(student_client.get(course.url).content.decode()) == 0
    set_lesson_complete(student_client.student, first, True)  # the lessons app's service
    assert progress_value(student_client.get(course.url).content.decode()) == 1
    LessonCompletion.objects.create(user=student_client.student, lesson=second)  # a plain save
    assert progress_value(student_client.get(course.url).content.decode()) == 2
    LessonCompletion.objects.filter(user=student_client.student).delete()  # a bulk delete
    assert progress_value(student_client.get(course.url).content.decode()) == 0


def test_an_enrollment_removed_behind_the_students_back_is_seen_at_once(student_client, course):
    assert "Leave this course" in student_client.get(course.url).content.decode()
    Enrollment.objects.filter(user=student_client.student).delete()  # as the admin's bulk action
    page = student_client.get(course.url).content.decode()
    assert "Leave this course" not in page
    assert "Enroll in this course" in page


def test_an_answer_read_before_a_write_committed_is_never_served_after_it(enrolled):
    # Request A reads the user's version, then (slowly) the database...
    slow = user_answers._Answers(enrolled.pk, user_answers._read_entries(enrolled.pk))
    # ...while another request writes one of the user's records and commits.
    forget_for_user(enrolled.pk)
    # A stores what it read before the write: under the version the write replaced.
    assert slow.get(("question",), lambda: "before the write") == "before the write"
    fresh = get_user_model().objects.get(pk=enrolled.pk)
    assert remember_for_user(fresh, ("question",), lambda: "after the write") == "after the write"
    again = get_user_model().objects.get(pk=enrolled.pk)
    assert remember_for_user(again, ("question",), lambda: "computed again") == "after the write"


def test_what_a_request_does_with_its_copy_of_an_answer_is_never_stored(enrolled):
    user = get_user_model().objects.get(pk=enrolled.pk)
    answer = remember_for_user(user, ("list",), lambda: [1, 2])
    answer.append(3)  # the dashboard attaches a course to each enrollment it is given
    remember_for_user(user, ("other",), lambda: "stores the user's answers again")
    later = get_user_model().objects.get(pk=enrolled.pk)
    assert remember_for_user(later, ("list",), lambda: "not asked") == [1, 2]


def test_a_password_changed_elsewhere_ends_the_other_sessions(student_client):
    assert student_client.get("/dashboard/").status_code == 200  # the user row is kept now
    student = get_user_model().objects.get(pk=student_client.student.pk)
    student.set_password("a-new-password-elsewhere")
    student.save()
    response = student_client.get("/dashboard/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_deactivated_student_is_logged_out_at_their_next_request(student_client):
    assert student_client.get("/dashboard/").status_code == 200
    student = get_user_model().objects.get(pk=student_client.student.pk)
    student.is_active = False
    student.save()
    response = student_client.get("/dashboard/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_session_whose_hash_does_not_match_the_kept_user_is_flushed_as_django_does(student_client):
    assert student_client.get("/dashboard/").status_code == 200
    session = student_client.session
    session["_auth_user_hash"] = "forged"
    session.save()
    response = student_client.get("/dashboard/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert "_auth_user_id" not in student_client.session


def test_a_request_that_writes_then_reads_again_sees_its_own_write(student, course):
    from courses.learner import CourseLearner
    from courses.services import enroll

    # The request's user object answered first (an LTI launch looks, enrolls, then shows the page)...
    user = get_user_model().objects.get(pk=student.pk)
    assert not CourseLearner(user, course).enrolled
    # ...and the write comes through another object of the same user.
    enroll(get_user_model().objects.get(pk=student.pk), course)
    assert CourseLearner(user, course).enrolled
