"""Package scores follow the course across languages (README, "Languages"): a SCORM attempt made
on the French lesson is stored against the source (English) lesson, as lesson completions are,
so its score and its completion count for the English course, and either lesson continues it."""

import pytest
from django.urls import reverse

from courses.services import enroll
from lessons.models import LessonCompletion
from packages import runtime, services
from packages.models import Attempt
from tests.language_fixtures import translate_tree
from tests.packages.conftest import package_lesson
from tests.packages.factories import ready_package

pytestmark = pytest.mark.django_db


@pytest.fixture
def translated_package_lesson(french, home, course, first_lesson, student):
    package = ready_package()
    lesson, block_id = package_lesson(first_lesson, package)
    pages = translate_tree(home, french)
    lesson_fr = pages[lesson.pk]
    assert lesson_fr.body[0].id == block_id  # wagtail-localize keeps the block's id
    enroll(student, course)
    return lesson, lesson_fr, block_id, package, pages[course.pk]


def test_a_score_on_the_french_lesson_counts_for_the_english_course(translated_package_lesson, student):
    lesson, lesson_fr, block_id, package, _ = translated_package_lesson
    attempt = runtime.current_attempt(student, package, lesson_fr, block_id)
    assert attempt.lesson_id == lesson.pk  # the source lesson
    cmi = {"core": {"lesson_status": "passed", "score": {"raw": "90"}, "exit": ""}}
    attempt = runtime.apply_commit(attempt, cmi, terminate=True)
    assert services.record_outcome(attempt)

    assert LessonCompletion.objects.filter(user=student, lesson=lesson).exists()
    # The score on both outlines: the English course's and the French one's (asked by their own ids).
    assert services.lesson_scores(student, [lesson.pk]) == {lesson.pk: 90}
    assert services.lesson_scores(student, [lesson_fr.pk]) == {lesson_fr.pk: 90}
    assert services.packages_done(student, lesson) and services.packages_done(student, lesson_fr)
    assert services.attempt_summary(student, lesson, block_id) == attempt
    assert services.attempt_summary(student, lesson_fr, block_id) == attempt


def test_launching_on_the_french_lesson_continues_the_attempt_begun_in_english(
    client, translated_package_lesson, student
):
    lesson, lesson_fr, block_id, _, _ = translated_package_lesson
    client.force_login(student)
    assert client.get(reverse("packages:launch", args=[lesson.pk, block_id])).status_code == 302
    assert client.get(reverse("packages:launch", args=[lesson_fr.pk, block_id])).status_code == 302
    [attempt] = Attempt.objects.all()
    assert (attempt.lesson_id, attempt.number) == (lesson.pk, 1)
