"""One course across languages: a course translated with wagtail-localize shares its enrollment,
progress, quiz attempts and certificate with the original (README, "Languages")."""

import pytest
from django.urls import reverse

from courses.certificates import issue_certificate
from courses.models import Certificate, Enrollment
from courses.services import course_progress, enroll
from lessons.models import LessonCompletion, QuizAttempt
from lessons.quiz import quizzes_of
from tests.language_fixtures import translate_tree
from tests.lessons.test_quiz import answer, submit
from tests.page_fixtures import add_quiz, lessons_of

pytestmark = pytest.mark.django_db

FRENCH = {
    "Wagtail basics": "Les bases de Wagtail",
    "Which page type holds lessons?": "Quel type de page contient les leçons ?",
    "CoursePage or ModulePage": "CoursePage ou ModulePage",
}


@pytest.fixture
def bilingual_course(french, home, course):
    """``course`` (two modules of two lessons, the first with a quiz) and its French translation."""
    add_quiz(lessons_of(course)[0].specific)
    translations = translate_tree(home, french, FRENCH)
    return course, translations[course.pk]


def test_the_translation_is_a_french_page_at_a_prefixed_url_with_the_same_quiz_ids(bilingual_course):
    course, course_fr = bilingual_course
    assert course_fr.locale.language_code == "fr" and course_fr.title == "Les bases de Wagtail"
    assert course_fr.translation_key == course.translation_key and course_fr.pk != course.pk
    assert course_fr.url.startswith("/fr/") and course.url == "/" + course.url.lstrip("/")
    assert not course.url.startswith("/fr/")
    lesson, lesson_fr = lessons_of(course)[0].specific, lessons_of(course_fr)[0].specific
    quiz, quiz_fr = quizzes_of(lesson)[0], quizzes_of(lesson_fr)[0]
    assert quiz_fr.questions[0].prompt == "Quel type de page contient les leçons ?"
    assert quiz_fr.id == quiz.id
    assert [q.id for q in quiz_fr.questions] == [q.id for q in quiz.questions]
    assert [[o.id for o in q.options] for q in quiz_fr.questions] == [
        [o.id for o in q.options] for q in quiz.questions
    ]
    assert [[o.correct for o in q.options] for q in quiz_fr.questions] == [
        [o.correct for o in q.options] for q in quiz.questions
    ]


def test_a_student_enrolled_in_english_keeps_progress_and_quiz_attempts_in_french(
    client, student, bilingual_course
):
    course, course_fr = bilingual_course
    enroll(student, course)
    english = lessons_of(course)
    LessonCompletion.objects.create(user=student, lesson=english[1])
    client.force_login(student)

    # The French course page knows the enrollment and the progress made in English.
    lessons_fr = lessons_of(course_fr)
    page = client.get(course_fr.url)
    assert page.status_code == 200
    assert course_progress(student, course_fr).done == 1
    assert "Les bases de Wagtail" in page.content.decode()

    # The French lesson opens (it is the English course's lesson), and its quiz, answered in
    # French, is the English quiz: the attempt is kept against the source lesson.
    quiz_lesson_fr = lessons_fr[0].specific
    assert client.get(quiz_lesson_fr.url).status_code == 200
    quiz_fr = quizzes_of(quiz_lesson_fr)[0]
    wrong = submit(client, quiz_lesson_fr, quiz_fr, answer(quiz_fr, single="wrong"))
    assert wrong.status_code == 302
    assert QuizAttempt.objects.get(user=student).lesson_id == english[0].pk
    passed = submit(client, quiz_lesson_fr, quiz_fr, answer(quiz_fr))
    assert passed.status_code == 302
    attempts = QuizAttempt.objects.filter(user=student).order_by("pk")
    assert [(a.lesson_id, a.passed) for a in attempts] == [(english[0].pk, False), (english[0].pk, True)]
    assert LessonCompletion.objects.filter(user=student, lesson=english[0]).exists()
    french_ids = [lesson.pk for lesson in lessons_fr]
    assert not LessonCompletion.objects.filter(user=student, lesson_id__in=french_ids).exists()

    # Back in English: the two attempts and both lessons are there.
    assert course_progress(student, course).done == 2
    english_html = client.get(english[0].url).content.decode()
    assert "Passed" in english_html
    # Marking a French lesson complete completes the English one, once.
    for lesson_fr in lessons_fr[2:]:
        client.post(reverse("lessons:mark_complete", args=[lesson_fr.pk]), {"complete": "1"})
    assert set(LessonCompletion.objects.filter(user=student).values_list("lesson_id", flat=True)) == {
        lesson.pk for lesson in english
    }
    enrollment = Enrollment.objects.get(user=student)
    assert enrollment.course_id == course.pk and enrollment.completed_at is not None
    assert Enrollment.objects.count() == 1
    # One certificate, whichever language asks for it.
    certificate, created = issue_certificate(student, course_fr)
    assert created and certificate.course_id == course.pk
    assert issue_certificate(student, course) == (certificate, False)
    assert Certificate.objects.count() == 1


def test_enrolling_from_the_french_page_enrolls_in_the_course_itself_once(client, student, bilingual_course):
    course, course_fr = bilingual_course
    client.force_login(student)
    enrollment, created = enroll(student, course_fr)
    assert created and enrollment.course_id == course.pk
    again, created_again = enroll(student, course)
    assert again.pk == enrollment.pk and not created_again


def test_translating_a_whole_subtree_at_once_leaves_every_lesson_reachable(client, french, home, course):
    """wagtail-localize's "include subtree" translates the pages below in one transaction and
    publishes them as it commits: the translated modules must still route to their lessons."""
    from django.test import TestCase
    from wagtail_localize.operations import translate_object, translate_page_subtree

    with TestCase.captureOnCommitCallbacks(execute=True):
        translate_object(home, [french])
    with TestCase.captureOnCommitCallbacks(execute=True):
        translate_page_subtree(home.pk, [french], None, None)
    course_fr = course.get_translation(french)
    lessons_fr = lessons_of(course_fr)
    assert len(lessons_fr) == 4
    for lesson in lessons_fr:
        assert client.get(lesson.url).status_code in (200, 403), lesson.url
