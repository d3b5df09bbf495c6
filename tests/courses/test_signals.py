"""Domain signals: each event announced once, only after its transaction commits, with its arguments;
a failing listener never breaks the request; certificates and confirmations are listeners."""

import pytest
from django.db import transaction

from courses import signals
from courses.models import Certificate, Enrollment
from courses.services import enroll, unenroll
from lessons import signals as lesson_signals
from lessons.models import LessonCompletion, QuizAttempt
from lessons.quiz import quizzes_of, submit_attempt
from lessons.services import set_lesson_complete
from tests.factories import UserFactory
from tests.page_fixtures import add_quiz, lessons_of


class Heard:
    """Records what a signal sends, connected for one test only."""

    def __init__(self, signal):
        self.signal, self.calls = signal, []

    def __call__(self, sender, **kwargs):
        kwargs.pop("signal")
        self.calls.append((sender, kwargs))

    def __enter__(self):
        self.signal.connect(self, weak=False)
        return self

    def __exit__(self, *exc):
        self.signal.disconnect(self)


@pytest.mark.django_db
def test_enrolled_is_sent_once_after_commit_and_not_for_a_repeat(django_capture_on_commit_callbacks, course):
    user = UserFactory()
    with Heard(signals.enrolled) as heard:
        with django_capture_on_commit_callbacks() as callbacks:
            enrollment, _ = enroll(user, course)
            assert heard.calls == []  # nothing before the commit
        for callback in callbacks:
            callback()
        with django_capture_on_commit_callbacks(execute=True):
            enroll(user, course)  # the same enrollment again
    assert heard.calls == [(Enrollment, {"enrollment": enrollment, "user": user, "course": course})]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_enrollment_announces_nothing(build_course):
    course = build_course("Rolled back", modules=1, per_module=1)
    user = UserFactory()
    with Heard(signals.enrolled) as heard, pytest.raises(RuntimeError), transaction.atomic():
        enroll(user, course)
        raise RuntimeError("the request failed after enrolling")
    assert heard.calls == []
    assert not Enrollment.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_unenrolled_names_the_user_and_course(django_capture_on_commit_callbacks, enrolled, course):
    with Heard(signals.unenrolled) as heard, django_capture_on_commit_callbacks(execute=True):
        assert unenroll(enrolled, course)
    assert heard.calls == [(Enrollment, {"user": enrolled, "course": course})]


@pytest.mark.django_db
def test_lesson_and_course_completion_are_each_announced_once(
    django_capture_on_commit_callbacks, build_course
):
    course = build_course("Two lessons", modules=1, per_module=2)
    user = UserFactory()
    enroll(user, course)
    first, second = lessons_of(course)
    with (
        Heard(lesson_signals.lesson_completed) as lessons,
        Heard(signals.course_completed) as courses,
        django_capture_on_commit_callbacks(execute=True),
    ):
        set_lesson_complete(user, first)
        set_lesson_complete(user, first)  # again: no new completion
        set_lesson_complete(user, second)
        set_lesson_complete(user, second)
    completions = LessonCompletion.objects.filter(user=user)
    assert [(sender, call["lesson"].pk, call["course"].pk) for sender, call in lessons.calls] == [
        (LessonCompletion, first.pk, course.pk),
        (LessonCompletion, second.pk, course.pk),
    ]
    assert {call["completion"] for _, call in lessons.calls} == set(completions)
    enrollment = Enrollment.objects.get(user=user, course=course)
    assert courses.calls == [(Enrollment, {"enrollment": enrollment, "user": user, "course": course})]


@pytest.mark.django_db
def test_every_quiz_attempt_is_announced_with_its_score(django_capture_on_commit_callbacks, enrolled, course):
    lesson = add_quiz(lessons_of(course)[0].specific)
    quiz = quizzes_of(lesson)[0]
    wrong = {
        question.id: {next(o for o in question.option_ids if o not in question.correct_ids)}
        for question in quiz.questions
    }
    right = {question.id: set(question.correct_ids) for question in quiz.questions}
    with Heard(lesson_signals.quiz_attempted) as heard, django_capture_on_commit_callbacks(execute=True):
        failed, _ = submit_attempt(enrolled, lesson, quiz, wrong)
        passed, _ = submit_attempt(enrolled, lesson, quiz, right)
    assert [
        (sender, call["attempt"], call["user"], call["lesson"].pk, call["course"].pk)
        for sender, call in heard.calls
    ] == [
        (QuizAttempt, failed, enrolled, lesson.pk, course.pk),
        (QuizAttempt, passed, enrolled, lesson.pk, course.pk),
    ]
    assert [call["attempt"].passed for _, call in heard.calls] == [False, True]
    assert heard.calls[1][1]["attempt"].score == 100


@pytest.mark.django_db
def test_certificate_issued_once_and_a_failing_listener_breaks_nothing(
    django_capture_on_commit_callbacks, build_course, client
):
    from courses.certificates import issue_certificate

    def broken(sender, **kwargs):
        raise RuntimeError("a listener of another app is broken")

    course = build_course("One lesson", modules=1, per_module=1)
    user = UserFactory()
    enroll(user, course)
    signals.certificate_issued.connect(broken, weak=False)
    signals.course_completed.connect(broken, weak=False)
    try:
        with Heard(signals.certificate_issued) as heard, django_capture_on_commit_callbacks(execute=True):
            client.force_login(user)
            # Completing through the view: the broken course_completed listener must not turn it into a 500.
            lesson = lessons_of(course)[0]
            response = client.post(f"/learn/lessons/{lesson.pk}/complete/")
            assert response.status_code in (302, 303)
            first, created = issue_certificate(user, course)
            again, created_again = issue_certificate(user, course)
    finally:
        signals.certificate_issued.disconnect(broken)
        signals.course_completed.disconnect(broken)
    assert created and not created_again and first == again
    assert heard.calls == [(Certificate, {"certificate": first, "user": user, "course": course})]


@pytest.mark.django_db
def test_the_listeners_write_the_confirmation_and_the_certificate_to_the_outbox(
    django_capture_on_commit_callbacks, build_course
):
    from outbox.models import Message

    course = build_course("Listened", modules=1, per_module=1)
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        enrollment, _ = enroll(user, course)
        set_lesson_complete(user, lessons_of(course)[0])
    assert sorted(Message.objects.values_list("task", "args")) == [
        ("courses.tasks.issue_certificate", [user.pk, course.pk]),
        ("courses.tasks.send_enrollment_confirmation", [enrollment.pk]),
    ]
