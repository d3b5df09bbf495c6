"""Drip release: when a lesson opens for a student.

A lesson's "Opens after days" makes it open that many days after each student's enrollment;
a free preview is open to everyone from the start. ``courses`` asks this through the lesson
source (``LessonSource.opens_at``) for the outline's "Opens on" dates, and the gate
(``lessons.access.may_read``) through the learner context, so both say the same.
"""

from datetime import timedelta


def opens_at(lesson, enrolled_at):
    """When ``lesson`` opens for a student enrolled at ``enrolled_at``; None when open from the start."""
    if not lesson.opens_after_days or lesson.free_preview:
        return None
    return enrolled_at + timedelta(days=lesson.opens_after_days)
