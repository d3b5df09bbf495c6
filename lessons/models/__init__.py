"""The lessons app's models: the lesson page, and what each student did in it."""

from .pages import MEDIA_BLOCKS, REQUIREMENT_BLOCKS, LessonPage
from .progress import WATCHED_RATIO, LessonCompletion, PlaybackPosition
from .quiz import QuizAttempt

__all__ = [
    "MEDIA_BLOCKS",
    "REQUIREMENT_BLOCKS",
    "WATCHED_RATIO",
    "LessonCompletion",
    "LessonPage",
    "PlaybackPosition",
    "QuizAttempt",
]
