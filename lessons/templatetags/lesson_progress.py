from dataclasses import dataclass, field

from django import template

from courses import services as courses
from lessons import tracking

register = template.Library()


@dataclass
class LessonLearning:
    """What the lesson page shows about the current student's progress."""

    enrolled: bool = False
    is_complete: bool = False
    completed_ids: set = field(default_factory=set)
    positions: dict = field(default_factory=dict)


@register.simple_tag(takes_context=True)
def lesson_learning(context, lesson, course, outline):
    """Enrollment, completions and saved playback positions for this lesson (three queries at most)."""
    user = context["request"].user
    state = LessonLearning()
    if not user.is_authenticated or course is None or not courses.is_enrolled(user, course):
        return state
    state.enrolled = True
    ids = [item.pk for item in outline.lessons] if outline else []
    state.completed_ids = tracking.completed_lesson_ids(user, [*ids, lesson.pk])
    state.is_complete = lesson.pk in state.completed_ids
    state.positions = {str(key): value for key, value in tracking.playback_positions(user, lesson).items()}
    return state
