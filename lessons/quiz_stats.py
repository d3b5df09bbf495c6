"""Per-question quiz statistics for editors and instructors: attempts, share correct, top wrong option."""

from collections import Counter
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from wagtail.models import Page
from wagtail.permission_policies.pages import PagePermissionPolicy

from .models import LessonPage, QuizAttempt
from .quiz import quizzes_of


@dataclass
class QuestionStats:
    question: object
    attempts: int
    correct: int
    top_wrong_option: object
    top_wrong_count: int

    @property
    def correct_percent(self):
        """The share of attempts that got the question fully right, in whole percent (None without any)."""
        return round(100 * self.correct / self.attempts) if self.attempts else None


def question_statistics(lesson, quiz):
    """A QuestionStats for each question of ``quiz`` in ``lesson``, over every stored attempt.

    "Correct" means a full score on the question; the most chosen wrong option counts
    every time a student picked an option that is not correct.
    """
    attempts = list(
        QuizAttempt.objects.filter(lesson=lesson, quiz_id=quiz.id).values_list("answers", "question_scores")
    )
    result = []
    for question in quiz.questions:
        answered = [(answers.get(question.id), scores.get(question.id)) for answers, scores in attempts]
        answered = [(chosen, score) for chosen, score in answered if chosen is not None]
        wrong = Counter(
            option for chosen, _ in answered for option in chosen if option not in question.correct_ids
        )
        options = {option.id: option for option in question.options}
        top = next(((options[oid], n) for oid, n in wrong.most_common() if oid in options), (None, 0))
        result.append(
            QuestionStats(
                question=question,
                attempts=len(answered),
                correct=sum(1 for _, score in answered if score is not None and score >= 1),
                top_wrong_option=top[0],
                top_wrong_count=top[1],
            )
        )
    return result


def may_see_all_statistics(user):
    """Editors (anyone who may add, change or publish pages) see every quiz's statistics."""
    return PagePermissionPolicy(Page).user_has_any_permission(
        user or AnonymousUser(), ["add", "change", "publish"]
    )


def lessons_with_statistics(user):
    """The lessons with quizzes whose statistics ``user`` may see, in tree order.

    Editors see all of them; an instructor linked to the user (``Instructor.user``) sees
    the lessons of the courses they teach.
    """
    lessons = LessonPage.objects.order_by("path")
    if not may_see_all_statistics(user):
        instructor = getattr(user, "instructor_profile", None) if user.is_authenticated else None
        course_paths = [course.path for course in instructor.courses.all()] if instructor else []
        if not course_paths:
            return []
        lessons = [lesson for lesson in lessons if any(lesson.path.startswith(path) for path in course_paths)]
    return [lesson for lesson in lessons if quizzes_of(lesson)]


def may_see_statistics(user):
    """Whether the statistics menu item and view are for ``user`` (editor or linked instructor)."""
    if may_see_all_statistics(user):
        return True
    instructor = getattr(user, "instructor_profile", None) if user.is_authenticated else None
    return instructor is not None and instructor.courses.exists()
