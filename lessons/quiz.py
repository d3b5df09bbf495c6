"""Quizzes: reading a quiz block, grading a submission on the server, attempts and the retake policy.

Correct answers stay here and in the database: the page shows questions and options only,
the browser posts option ids (``q-<question id>`` fields), and this module decides.
The scoring rule is ``lessons.blocks.SCORING_RULE``.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext, ngettext

from courses.models import Enrollment
from courses.signals import send_after_commit
from pagetree.services import source_id, source_page

from . import signals
from .blocks import MULTIPLE, SINGLE
from .completion import set_lesson_complete, unmet_requirement
from .models import QuizAttempt

FIELD_PREFIX = "q-"


@dataclass(frozen=True)
class Option:
    id: str
    text: str
    correct: bool


@dataclass(frozen=True)
class Question:
    id: str
    prompt: str
    kind: str
    options: tuple
    explanation: object

    @property
    def field_name(self):
        return f"{FIELD_PREFIX}{self.id}"

    @property
    def correct_ids(self):
        return {option.id for option in self.options if option.correct}

    @property
    def option_ids(self):
        return {option.id for option in self.options}


@dataclass(frozen=True)
class Quiz:
    id: str
    title: str
    pass_mark: int
    max_attempts: int | None
    questions: tuple


class QuizRejected(Exception):
    """A submission that cannot be graded (tampered or incomplete); nothing is stored."""

    def __init__(self, message, unanswered=()):
        super().__init__(message)
        self.unanswered = tuple(unanswered)


def _quiz_from_block(block):
    value = block.value
    questions = tuple(
        Question(
            id=question.id,
            prompt=question.value["prompt"],
            kind=question.value["kind"],
            options=tuple(
                Option(id=option.id, text=option.value["text"], correct=bool(option.value["correct"]))
                for option in question.value["options"].bound_blocks
            ),
            explanation=question.value["explanation"],
        )
        for question in value["questions"].bound_blocks
    )
    return Quiz(
        id=block.id,
        title=value["title"],
        pass_mark=value["pass_mark"] if value["pass_mark"] is not None else 100,
        max_attempts=value["max_attempts"] or None,
        questions=questions,
    )


def quizzes_of(lesson):
    """The quizzes in ``lesson``'s body, in order."""
    return [_quiz_from_block(block) for block in lesson.body if block.block_type == "quiz"]


def find_quiz(lesson, quiz_id):
    """The quiz with block id ``quiz_id`` in ``lesson``, or None."""
    return next((quiz for quiz in quizzes_of(lesson) if quiz.id == quiz_id), None)


def parse_answers(quiz, data):
    """``{question id: set of option ids}`` from POST ``data`` (a QueryDict), or QuizRejected.

    Refused: a field for a question not in this quiz (another quiz's ids), an option id
    that is not one of its question's options, several options for a single-choice
    question, and unanswered questions (their ids are on the exception).
    """
    questions = {question.field_name: question for question in quiz.questions}
    strangers = [key for key in data if key.startswith(FIELD_PREFIX) and key not in questions]
    if strangers:
        raise QuizRejected(
            gettext("The answers name a question that is not in this quiz. Reload the page and try again.")
        )
    answers, unanswered = {}, []
    for question in quiz.questions:
        chosen = {value for value in data.getlist(question.field_name) if value}
        if not chosen:
            unanswered.append(question.id)
            continue
        if not chosen <= question.option_ids:
            raise QuizRejected(
                gettext("An answer is not one of the question's options. Reload the page and try again.")
            )
        if question.kind == SINGLE and len(chosen) > 1:
            raise QuizRejected(gettext("Choose one option for a single-choice question."))
        answers[question.id] = chosen
    if unanswered:
        count = len(unanswered)
        raise QuizRejected(
            ngettext(
                "Answer every question before submitting (%(count)d still unanswered).",
                "Answer every question before submitting (%(count)d still unanswered).",
                count,
            )
            % {"count": count},
            unanswered=unanswered,
        )
    return answers


def score_question(question, chosen):
    """The question's score between 0 and 1 for the option ids ``chosen`` (see SCORING_RULE)."""
    correct = question.correct_ids
    if not correct:
        return 0.0
    if question.kind == MULTIPLE:
        right = len(chosen & correct)
        wrong = len(chosen - correct)
        return max(0.0, (right - wrong) / len(correct))
    return 1.0 if chosen == correct else 0.0


@dataclass
class Grade:
    question_scores: dict
    score: float
    passed: bool


def grade(quiz, answers):
    """Grade ``answers`` (``{question id: set of option ids}``) against ``quiz``."""
    scores = {
        question.id: score_question(question, answers.get(question.id, set())) for question in quiz.questions
    }
    score = 100 * sum(scores.values()) / len(scores) if scores else 0.0
    # Round before comparing, so 69.999… from float sums does not fail a 70% pass mark.
    return Grade(question_scores=scores, score=round(score, 2), passed=round(score, 2) >= quiz.pass_mark)


@dataclass
class QuizState:
    """What one student has done in one quiz: their attempts and what they may do next."""

    quiz: Quiz
    attempts: list = field(default_factory=list)

    @property
    def last_attempt(self):
        return self.attempts[-1] if self.attempts else None

    @property
    def passed(self):
        return any(attempt.passed for attempt in self.attempts)

    @property
    def attempts_left(self):
        """None for unlimited attempts, else how many submissions remain."""
        if self.quiz.max_attempts is None:
            return None
        return max(0, self.quiz.max_attempts - len(self.attempts))

    @property
    def may_attempt(self):
        """Whether another submission is accepted: not passed yet, and attempts left."""
        return not self.passed and self.attempts_left != 0

    @property
    def reveals_answers(self):
        """Correct options are shown once nothing more can be gained by knowing them."""
        return self.last_attempt is not None and not self.may_attempt


def quiz_states(user, lesson):
    """``{quiz id: QuizState}`` for every quiz of ``lesson`` (one query).

    No attempts for ``user`` None, an anonymous user, or an unsaved one (the sample student
    of a preview "As an enrolled student" or of a share link, who has done nothing yet).
    """
    quizzes = quizzes_of(lesson)
    states = {quiz.id: QuizState(quiz) for quiz in quizzes}
    if states and user is not None and user.is_authenticated and user.pk is not None:
        attempts = QuizAttempt.objects.filter(user=user, lesson_id=source_id(lesson), quiz_id__in=[*states])
        for attempt in attempts:
            states[attempt.quiz_id].attempts.append(attempt)
    return states


def quizzes_passed(user, lesson):
    """Whether ``user`` has passed every quiz of ``lesson`` (True for a lesson without quizzes)."""
    return all(state.passed for state in quiz_states(user, lesson).values())


def submit_attempt(user, lesson, quiz, answers):
    """Grade and store an attempt; completes the lesson once every quiz in it is passed.

    The student's enrollment row is locked while the attempts are counted, so two
    submissions at once cannot exceed the attempt limit. Returns ``(attempt, progress)``;
    ``progress`` is the course Progress when the lesson was completed, else None.
    Raises QuizRejected when the quiz is passed already or no attempts are left.
    The caller checks that the student may read the lesson and is enrolled.
    """
    # A translation's attempts are the lesson's own: kept against its source page, whose
    # quizzes have the same ids (wagtail-localize keeps block ids).
    lesson = source_page(lesson)
    with transaction.atomic():
        Enrollment.objects.select_for_update().filter(user=user, course_id=lesson.course.pk).first()
        state = QuizState(quiz, list(QuizAttempt.objects.filter(user=user, lesson=lesson, quiz_id=quiz.id)))
        if state.passed:
            raise QuizRejected("You have passed this quiz already.")
        if not state.may_attempt:
            raise QuizRejected("You have no attempts left for this quiz.")
        result = grade(quiz, answers)
        attempt = QuizAttempt.objects.create(
            user=user,
            lesson=lesson,
            quiz_id=quiz.id,
            answers={question_id: sorted(chosen) for question_id, chosen in answers.items()},
            question_scores=result.question_scores,
            score=result.score,
            pass_mark=quiz.pass_mark,
            passed=result.passed,
        )
        send_after_commit(
            signals.quiz_attempted,
            QuizAttempt,
            attempt=attempt,
            user=user,
            lesson=lesson,
            course=lesson.course,
        )
        progress = None
        if result.passed and quizzes_passed(user, lesson) and unmet_requirement(user, lesson) is None:
            progress = set_lesson_complete(user, lesson)
    return attempt, progress
