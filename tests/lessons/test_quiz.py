"""Quizzes: graded on the server, answers kept from the page, tampering refused, retakes, completion."""

import re
from html import unescape

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from courses.models import Enrollment
from courses.services import course_progress
from lessons.models import LessonCompletion, QuizAttempt
from lessons.quiz import find_quiz, grade, quizzes_of, score_question
from tests.factories import InstructorFactory, UserFactory
from tests.page_fixtures import add_quiz, lessons_of, quiz_value

pytestmark = pytest.mark.django_db


def the_quiz(lesson, index=0):
    return quizzes_of(lesson)[index]


def answer(quiz, *, single="right", multiple=("right", "right")):
    """POST data: ``single`` is "right"/"wrong"; ``multiple`` lists "right"/"wrong" picks in order."""
    first, second = quiz.questions
    data = {}
    if single:
        pick = next(o for o in first.options if o.correct == (single == "right"))
        data[first.field_name] = [pick.id]
    rights = iter([o.id for o in second.options if o.correct])
    wrongs = iter([o.id for o in second.options if not o.correct])
    picks = [next(rights) if kind == "right" else next(wrongs) for kind in multiple]
    if picks:
        data[second.field_name] = picks
    return data


def submit(client, lesson, quiz, data):
    return client.post(reverse("lessons:submit_quiz", args=[lesson.pk, quiz.id]), data)


def quiz_html(html):
    match = re.search(r'<section class="quiz".*?</section>', html, re.S)
    assert match, "no quiz on the page"
    return match.group(0)


def test_the_page_never_carries_the_correct_answers_before_submission(client, enrolled, quiz_lesson):
    client.force_login(enrolled)
    html = quiz_html(client.get(quiz_lesson.url).content.decode())
    quiz = the_quiz(quiz_lesson)
    for question in quiz.questions:
        assert question.prompt in html
        for option in question.options:
            assert f'value="{option.id}"' in html
    assert "correct answer" not in html and "quiz__option--correct" not in html
    assert "Lessons live under a course" not in html  # explanations come after submitting
    # Nothing in the markup tells the options apart but their text and id.
    inputs = re.findall(r"<input [^>]*>", html)
    assert {
        re.sub(r'value="[^"]+"', "", tag) for tag in inputs if "q-" + quiz.questions[0].id in tag
    }.__len__() == 1
    assert f'action="{reverse("lessons:submit_quiz", args=[quiz_lesson.pk, quiz.id])}"' in html


def test_scoring_rule_for_multiple_choice_is_per_question_and_floored_at_zero(quiz_lesson):
    quiz = the_quiz(quiz_lesson)
    mc = quiz.questions[1]
    right = [o.id for o in mc.options if o.correct]
    wrong = [o.id for o in mc.options if not o.correct]
    assert score_question(mc, set(right)) == 1
    assert score_question(mc, {right[0]}) == 0.5
    assert score_question(mc, {*right, wrong[0]}) == 0.5
    assert score_question(mc, {right[0], *wrong}) == 0  # (1 - 2) / 2 floors at 0
    assert score_question(mc, set(right + wrong)) == 0
    single = quiz.questions[0]
    assert grade(quiz, {single.id: single.correct_ids, mc.id: {right[0]}}).score == 75


def test_passing_the_quiz_completes_the_lesson_and_moves_the_course_bar(
    client, enrolled, course, quiz_lesson
):
    client.force_login(enrolled)
    quiz = the_quiz(quiz_lesson)
    response = submit(client, quiz_lesson, quiz, answer(quiz, multiple=("right", "right", "wrong")))
    assert response.status_code == 302
    assert response.url == f"{quiz_lesson.url}#quiz-{quiz.id}"
    attempt = QuizAttempt.objects.get(user=enrolled, lesson=quiz_lesson)
    assert attempt.score == 75 and attempt.passed  # 1 + (2 - 1)/2 over 2 questions
    assert LessonCompletion.objects.filter(user=enrolled, lesson=quiz_lesson).exists()
    assert course_progress(enrolled, course).done == 1
    dashboard = client.get(reverse("courses:dashboard")).content.decode()
    assert "25%" in dashboard or 'value="1"' in dashboard
    html = quiz_html(client.get(quiz_lesson.url).content.decode())
    assert "Passed" in html and "75%" in html
    assert "Lessons live under a course" in html  # explanations, and now the answers
    assert "(correct answer)" in html
    assert "<form" not in html  # passed: no more submissions
    assert submit(client, quiz_lesson, quiz, answer(quiz)).status_code == 400
    assert QuizAttempt.objects.filter(user=enrolled).count() == 1


def test_a_failed_attempt_does_not_complete_and_mark_complete_is_refused(client, enrolled, quiz_lesson):
    client.force_login(enrolled)
    quiz = the_quiz(quiz_lesson)
    submit(client, quiz_lesson, quiz, answer(quiz, single="wrong", multiple=("right",)))
    attempt = QuizAttempt.objects.get(user=enrolled)
    assert attempt.score == 25 and not attempt.passed
    assert not LessonCompletion.objects.filter(user=enrolled, lesson=quiz_lesson).exists()
    html = client.get(quiz_lesson.url).content.decode()
    assert "Pass the quiz above to complete this lesson." in html
    assert "(correct answer)" not in html  # retakes are unlimited: answers stay hidden
    client.post(reverse("lessons:mark_complete", args=[quiz_lesson.pk]), {"complete": "1"})
    assert not LessonCompletion.objects.filter(user=enrolled, lesson=quiz_lesson).exists()


def test_unknown_option_ids_are_refused_and_store_nothing(client, enrolled, quiz_lesson):
    client.force_login(enrolled)
    quiz = the_quiz(quiz_lesson)
    data = answer(quiz)
    data[quiz.questions[0].field_name] = ["not-an-option"]
    response = submit(client, quiz_lesson, quiz, data)
    assert response.status_code == 400
    assert "not one of the question's options" in unescape(response.content.decode())
    # An option of the other question is not an option of this one either.
    data[quiz.questions[0].field_name] = [quiz.questions[1].options[0].id]
    assert submit(client, quiz_lesson, quiz, data).status_code == 400
    assert not QuizAttempt.objects.exists()


def test_another_quizs_ids_are_refused(client, enrolled, course):
    lesson = add_quiz(lessons_of(course)[0].specific, quiz_value(title="First"), quiz_value(title="Second"))
    first, second = quizzes_of(lesson)
    client.force_login(enrolled)
    response = submit(client, lesson, first, {**answer(first), **answer(second)})
    assert response.status_code == 400
    assert "not in this quiz" in response.content.decode()
    # A quiz id from another lesson is not found at all.
    other = add_quiz(lessons_of(course)[1].specific)
    assert submit(client, lesson, the_quiz(other), answer(the_quiz(other))).status_code == 404
    assert not QuizAttempt.objects.exists()


def test_missing_answers_are_refused_and_the_choices_are_kept(client, enrolled, quiz_lesson):
    client.force_login(enrolled)
    quiz = the_quiz(quiz_lesson)
    data = answer(quiz, single=None, multiple=("right",))
    response = submit(client, quiz_lesson, quiz, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Answer every question before submitting (1 still unanswered)." in html
    chosen = data[quiz.questions[1].field_name][0]
    assert re.search(rf'value="{chosen}"\s+checked', html)
    assert not QuizAttempt.objects.exists()


def test_single_choice_with_two_options_is_refused(client, enrolled, quiz_lesson):
    client.force_login(enrolled)
    quiz = the_quiz(quiz_lesson)
    data = answer(quiz)
    data[quiz.questions[0].field_name] = [o.id for o in quiz.questions[0].options[:2]]
    assert submit(client, quiz_lesson, quiz, data).status_code == 400
    assert not QuizAttempt.objects.exists()


def test_the_attempt_limit_holds_and_then_the_answers_are_shown(client, enrolled, course):
    lesson = add_quiz(lessons_of(course)[0].specific, quiz_value(max_attempts=2))
    quiz = the_quiz(lesson)
    client.force_login(enrolled)
    wrong = answer(quiz, single="wrong", multiple=("wrong",))
    assert "2 left" in quiz_html(client.get(lesson.url).content.decode())
    assert submit(client, lesson, quiz, wrong).status_code == 302
    assert "1 left" in quiz_html(client.get(lesson.url).content.decode())
    assert submit(client, lesson, quiz, wrong).status_code == 302
    response = submit(client, lesson, quiz, answer(quiz))
    assert response.status_code == 400
    assert "no attempts left" in response.content.decode()
    assert QuizAttempt.objects.filter(user=enrolled).count() == 2
    html = quiz_html(client.get(lesson.url).content.decode())
    assert "You have no attempts left." in html and "(correct answer)" in html and "<form" not in html


def test_a_post_for_a_lesson_the_student_may_not_see_is_refused(client, student, course, quiz_lesson):
    quiz = the_quiz(quiz_lesson)
    client.force_login(student)  # not enrolled
    assert submit(client, quiz_lesson, quiz, answer(quiz)).status_code == 403
    anonymous = Client()
    assert submit(anonymous, quiz_lesson, quiz, answer(quiz)).status_code == 302  # to log in
    Enrollment.objects.create(user=student, course=course)
    quiz_lesson.unpublish()
    assert submit(client, quiz_lesson, quiz, answer(quiz)).status_code == 404
    assert not QuizAttempt.objects.exists()


def test_the_submission_needs_the_csrf_token(enrolled, quiz_lesson):
    client = Client(enforce_csrf_checks=True)
    client.force_login(enrolled)
    quiz = the_quiz(quiz_lesson)
    assert submit(client, quiz_lesson, quiz, answer(quiz)).status_code == 403
    assert not QuizAttempt.objects.exists()


def test_editors_and_the_courses_instructors_see_per_question_statistics(client, editor, course, quiz_lesson):
    quiz = find_quiz(quiz_lesson, the_quiz(quiz_lesson).id)
    students = [UserFactory(username=f"quizzer{i}") for i in range(3)]
    for student in students:
        Enrollment.objects.create(user=student, course=course)
    picks = [
        answer(quiz),
        answer(quiz, single="wrong", multiple=("right", "wrong")),
        answer(quiz, single="wrong"),
    ]
    for student, data in zip(students, picks, strict=True):
        client.force_login(student)
        submit(client, quiz_lesson, quiz, data)
    url = reverse("quiz_statistics")

    client.force_login(editor)
    html = client.get(url).content.decode()
    wrong_single = next(o for o in quiz.questions[0].options if not o.correct)
    rows = re.findall(r"<tr>\s*<td>(.*?)</td>\s*<td>(\d+)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>", html, re.S)
    assert rows == [
        (quiz.questions[0].prompt, "3", "33%", f"{wrong_single.text} (chosen 2 times)"),
        (quiz.questions[1].prompt, "3", "67%", "ModelBlock (chosen 1 time)"),
    ]

    teacher = UserFactory(username="teacher")
    teacher.user_permissions.add(Permission.objects.get(codename="access_admin"))
    instructor = InstructorFactory(user=teacher)
    client.force_login(teacher)
    refused = client.get(url)  # teaches nothing yet: Wagtail sends them back to the dashboard
    assert refused.status_code == 302 and refused.url == reverse("wagtailadmin_home")
    course.instructors.add(instructor)
    course.save_revision().publish()
    assert quiz.questions[0].prompt in client.get(url).content.decode()

    client.force_login(students[0])
    assert client.get(url).status_code == 302  # no admin access at all: to the admin login


def test_the_api_shows_the_quiz_without_its_answers(client, enrolled, quiz_lesson):
    client.force_login(enrolled)
    body = client.get(f"/api/lessons/{quiz_lesson.pk}/").json()["body"]
    quiz = the_quiz(quiz_lesson)
    block = next(block for block in body if block["type"] == "quiz")
    assert [q["id"] for q in block["value"]["questions"]] == [q.id for q in quiz.questions]
    text = str(body)
    assert "correct" not in text and "explanation" not in text and "Lessons live under" not in text


def test_the_editor_is_told_when_a_question_has_the_wrong_number_of_correct_options():
    from django.core.exceptions import ValidationError

    from lessons.blocks import QuestionBlock

    block = QuestionBlock()
    single, multiple = quiz_value()["questions"]
    single["options"][1]["correct"] = True  # two correct in a single-choice question
    with pytest.raises(ValidationError) as error:
        block.clean(block.normalize(single))
    assert "exactly one correct option" in str(error.value.block_errors["options"])
    for option in multiple["options"]:
        option["correct"] = False
    with pytest.raises(ValidationError) as error:
        block.clean(block.normalize(multiple))
    assert "at least one option correct" in str(error.value.block_errors["options"])
    assert block.clean(block.normalize(quiz_value()["questions"][1]))["kind"] == "multiple"


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_cannot_exceed_the_attempt_limit(build_course):
    from tests.courses.test_enrollment_concurrency import at_once, logged_in_client

    course = build_course("Limits", modules=1, per_module=1)
    lesson = add_quiz(lessons_of(course)[0].specific, quiz_value(max_attempts=1))
    quiz = the_quiz(lesson)
    student = UserFactory(username="hasty")
    Enrollment.objects.create(user=student, course=course)
    clients = [logged_in_client(student) for _ in range(4)]
    wrong = answer(quiz, single="wrong", multiple=("wrong",))
    responses = at_once(*[lambda c=c: submit(c, lesson, quiz, wrong) for c in clients])
    assert sorted(r.status_code for r in responses) == [302, 400, 400, 400]
    assert QuizAttempt.objects.filter(user=student).count() == 1
