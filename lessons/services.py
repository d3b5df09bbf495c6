"""What other apps may ask of ``lessons``: the functions below, and the models in ``lessons.models``.

The rules live in modules named for them: ``access`` (who may read a lesson: the gating
rule), ``completion``, ``playback``, ``quiz`` (grading and attempts) and ``learner`` (the
request-scoped learner context).
"""

from .access import can_view_document, can_view_lesson, can_view_media
from .completion import (
    completed_lesson_ids,
    is_lesson_complete,
    register_requirement,
    set_lesson_complete,
    unmet_requirement,
)
from .learner import lesson_learner
from .playback import PlaybackRejected, playback_positions, save_playback
from .quiz import QuizRejected, quizzes_of, quizzes_passed, submit_attempt

__all__ = [
    "PlaybackRejected",
    "QuizRejected",
    "can_view_document",
    "can_view_lesson",
    "can_view_media",
    "completed_lesson_ids",
    "is_lesson_complete",
    "lesson_learner",
    "playback_positions",
    "quizzes_of",
    "quizzes_passed",
    "register_requirement",
    "save_playback",
    "set_lesson_complete",
    "submit_attempt",
    "unmet_requirement",
]
