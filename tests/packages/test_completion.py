"""A lesson with a package completes only once the package is complete, whatever else the student does."""

import pytest
from django.urls import reverse

from courses.services import enroll
from lessons.models import LessonCompletion
from lessons.quiz import quizzes_of, submit_attempt
from packages import runtime, services
from tests.packages.conftest import package_lesson
from tests.packages.factories import ready_package
from tests.page_fixtures import quiz_value

pytestmark = pytest.mark.django_db


@pytest.fixture
def lesson_with_package_and_quiz(first_lesson, course, student):
    package = ready_package()
    lesson, block_id = package_lesson(first_lesson, package)
    lesson.body.append(("quiz", quiz_value()))
    lesson.save_revision().publish()
    lesson.refresh_from_db()
    enroll(student, course)
    return lesson, block_id, package


def complete_package(student, lesson, block_id, package, status="passed", raw=90):
    attempt = runtime.current_attempt(student, package, lesson, block_id)
    cmi = {"core": {"lesson_status": status, "score": {"raw": str(raw)}, "exit": ""}}
    attempt = runtime.apply_commit(attempt, cmi, terminate=True)
    services.record_outcome(attempt)
    return attempt


def completed(student, lesson):
    return LessonCompletion.objects.filter(user=student, lesson=lesson).exists()


def test_mark_as_complete_waits_for_the_package(client, first_lesson, course, student):
    package = ready_package()
    lesson, _block_id = package_lesson(first_lesson, package)
    enroll(student, course)
    client.force_login(student)

    page = client.get(lesson.url).content.decode()
    response = client.post(reverse("lessons:mark_complete", args=[lesson.pk]), {"complete": "1"}, follow=True)

    assert "Complete the activity above to complete this lesson." in page
    assert "Mark as complete" not in page
    assert "Complete the activity above to complete this lesson." in response.content.decode()
    assert not completed(student, lesson)


def test_passing_the_quiz_waits_for_the_package_and_the_package_waits_for_the_quiz(
    lesson_with_package_and_quiz, student
):
    lesson, block_id, package = lesson_with_package_and_quiz
    quiz = quizzes_of(lesson)[0]
    answers = {question.id: set(question.correct_ids) for question in quiz.questions}

    # Complete but failed (20% against the package's passing score of 60%): not enough.
    assert (
        complete_package(student, lesson, block_id, package, status="failed", raw=20).success_status
        == "failed"
    )
    assert not completed(student, lesson)
    _, progress = submit_attempt(student, lesson, quiz, answers)
    assert progress is None and not completed(student, lesson)

    complete_package(student, lesson, block_id, package)  # the next attempt, passed

    assert completed(student, lesson)
