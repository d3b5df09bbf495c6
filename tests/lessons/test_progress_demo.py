"""The demo student created by ``manage.py demo_content`` is enrolled, with one lesson done."""

from io import StringIO

from django.core.management import call_command

from courses.models import Enrollment
from courses.services import course_progress
from demo.enrollment import ensure_demo_enrollment
from demo.students import ensure_student
from lessons.models import QuizAttempt
from lessons.services import is_lesson_complete, quizzes_passed
from tests.page_fixtures import add_quiz, lessons_of, quiz_value


def test_demo_student_is_enrolled_with_one_lesson_done_and_reruns_change_nothing(build_course):
    build_course("Empty first", modules=0, per_module=0)
    course = build_course("Demo course", modules=1, per_module=3)
    user = ensure_student("demo-password-123")
    assert ensure_demo_enrollment(user).pk == course.pk
    assert course_progress(user, course).done == 1

    assert ensure_demo_enrollment(user).pk == course.pk
    assert Enrollment.objects.filter(user=user).count() == 1
    assert course_progress(user, course).done == 1


def test_demo_content_command_prints_the_student_login_and_course(db, settings):
    settings.DEMO_ADMIN_PASSWORD = "demo-password-for-tests"
    out = StringIO()
    call_command("demo_content", stdout=out)
    printed = out.getvalue()
    assert "email: student@example.com" in printed
    assert "password: demo-password-for-tests (the admin's)" in printed
    assert "  enrolled in “" in printed


def test_the_demo_students_quiz_lesson_is_complete_because_the_quiz_was_passed(build_course):
    course = build_course("Demo course", modules=1, per_module=2)
    first = add_quiz(lessons_of(course)[0].specific, quiz_value(max_attempts=3))
    user = ensure_student("demo-password-123")
    assert ensure_demo_enrollment(user).pk == course.pk
    assert is_lesson_complete(user, first) and quizzes_passed(user, first)
    (attempt,) = QuizAttempt.objects.filter(user=user, lesson=first)
    assert attempt.passed and attempt.score == 100
    assert course_progress(user, course).done == 1
