"""The learner context of a lesson page: the course's learner context plus the lesson's own facts.

Computed once per request (``lesson_learner``): the gate hook decides with it, the lesson
template shows progress from it, and the media blocks trust its access decision instead
of asking the media policy again for each player.
"""

from dataclasses import dataclass
from functools import cached_property

from courses.services import course_learner, request_scoped

from .access import may_read, refusal
from .completion import unmet_requirement
from .playback import playback_positions
from .quiz import quiz_states


@dataclass
class LessonLearner:
    """One request's user and one lesson."""

    course_learner: object
    lesson: object

    @property
    def user(self):
        return self.course_learner.user

    @property
    def course(self):
        return self.course_learner.course

    @cached_property
    def can_view(self):
        """The gating decision (``lessons.access.may_read``)."""
        return may_read(self.course_learner, self.lesson)

    @property
    def enrolled(self):
        return self.course_learner.enrolled

    @cached_property
    def refusal(self):
        """The gate's explanation when this user may not read the lesson (``access.refusal``), else None.

        Real requests never render it (the gate hook redirects first); previews as a visitor do.
        """
        return None if self.can_view else refusal(self.course_learner, self.lesson)

    @property
    def reads_every_lesson(self):
        return self.course_learner.reads_every_lesson

    @property
    def completed_ids(self):
        """Completed lessons of the course (empty unless enrolled)."""
        return self.course_learner.completed_ids

    @property
    def opens_on(self):
        """Still-closed drip lessons of the course and when they open (see ``CourseLearner``)."""
        return self.course_learner.opens_on if self.course is not None else {}

    @property
    def is_complete(self):
        return self.lesson.pk in self.completed_ids

    @cached_property
    def positions(self):
        """``{"media id": seconds}`` where the student stopped in each media item of the lesson."""
        if not self.enrolled or self.user.pk is None:  # a preview's sample student has no history
            return {}
        return {str(key): value for key, value in playback_positions(self.user, self.lesson).items()}

    @cached_property
    def quiz_states(self):
        """``{quiz id: QuizState}``: the student's attempts at each quiz of the lesson (one query)."""
        return quiz_states(self.user if self.enrolled else None, self.lesson)

    @cached_property
    def pending_requirement(self):
        """What else the student must do before the lesson completes (a registered requirement,
        e.g. a content package), or None."""
        if not self.enrolled or self.user.pk is None:
            return None
        return unmet_requirement(self.user, self.lesson)

    @property
    def quiz_pending(self):
        """Whether a quiz of the lesson is not passed yet (then only passing it completes the lesson)."""
        return not all(state.passed for state in self.quiz_states.values())


def lesson_learner(request, lesson):
    """The request's LessonLearner for ``lesson`` (the same object every time in one request)."""
    return request_scoped(
        request, ("lesson", lesson.pk), lambda: LessonLearner(course_learner(request, lesson.course), lesson)
    )
