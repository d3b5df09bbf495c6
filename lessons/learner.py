"""The learner context of a lesson page: the lesson's own facts beside the course's learner context.

Computed once per request (``lesson_learner``): the gate hook decides with it, the lesson
template shows progress from it, and the media blocks trust its access decision instead
of asking the media policy again for each player.
"""

from dataclasses import dataclass
from functools import cached_property

from django.conf import settings

from courses.services import CourseLearner, course_learner, request_scoped

from .access import may_read, refusal
from .completion import unmet_requirement
from .playback import playback_grant, playback_positions
from .quiz import quiz_states


@dataclass
class LessonLearner:
    """One request's user and one lesson: what the lesson decides (reading it, its positions and
    quizzes). What the course decides (enrollment, completed lessons, drip dates) is asked of
    ``course_learner``, the request's one ``courses.services.CourseLearner`` for the lesson's course."""

    course_learner: CourseLearner
    lesson: object

    @cached_property
    def can_view(self):
        """The gating decision (``lessons.access.may_read``)."""
        return may_read(self.course_learner, self.lesson)

    @cached_property
    def refusal(self):
        """The gate's explanation when this user may not read the lesson (``access.refusal``), else None.

        Real requests never render it (the gate hook redirects first); previews as a visitor do.
        """
        return None if self.can_view else refusal(self.course_learner, self.lesson)

    @property
    def is_complete(self):
        return self.lesson.pk in self.course_learner.completed_ids

    @cached_property
    def positions(self):
        """``{"media id": seconds}`` where the student stopped in each media item of the lesson."""
        learner = self.course_learner
        if not learner.enrolled or learner.user.pk is None:  # a preview's sample student has no history
            return {}
        return {str(key): value for key, value in playback_positions(learner.user, self.lesson).items()}

    @cached_property
    def playback_grant(self):
        """The signed grant for the player's reports (``lessons.playback_buffer``), or ""."""
        learner = self.course_learner
        if not learner.enrolled or learner.user.pk is None or not self.can_view:
            return ""
        return playback_grant(learner.user, self.lesson)

    @property
    def report_interval_ms(self):
        """How often the player reports its position while playing (``PLAYBACK_REPORT_SECONDS``)."""
        return settings.PLAYBACK_REPORT_SECONDS * 1000

    @cached_property
    def quiz_states(self):
        """``{quiz id: QuizState}``: the student's attempts at each quiz of the lesson (one query)."""
        learner = self.course_learner
        return quiz_states(learner.user if learner.enrolled else None, self.lesson)

    @cached_property
    def pending_requirement(self):
        """What else the student must do before the lesson completes (a registered requirement,
        e.g. a content package), or None."""
        learner = self.course_learner
        if not learner.enrolled or learner.user.pk is None:
            return None
        return unmet_requirement(learner.user, self.lesson)

    @property
    def quiz_pending(self):
        """Whether a quiz of the lesson is not passed yet (then only passing it completes the lesson)."""
        return not all(state.passed for state in self.quiz_states.values())


def lesson_learner(request, lesson):
    """The request's LessonLearner for ``lesson`` (the same object every time in one request)."""
    return request_scoped(
        request, ("lesson", lesson.pk), lambda: LessonLearner(course_learner(request, lesson.course), lesson)
    )
