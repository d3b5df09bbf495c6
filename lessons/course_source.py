"""The lessons app's answers to ``courses``: the lesson source it registers at start-up.

See ``courses.lesson_source`` for why this is the one seam between the two apps.
"""

from . import drip
from .completion import completed_lesson_ids
from .models import LessonPage


class LessonPages:
    """``courses.services.LessonSource`` for Ringlet's lesson pages."""

    model = LessonPage

    def completed_ids(self, user, lesson_ids):
        return completed_lesson_ids(user, lesson_ids)

    def opens_at(self, lesson, enrolled_at):
        return drip.opens_at(lesson, enrolled_at)
