from dataclasses import dataclass

from django import template

from courses import learning

register = template.Library()


@dataclass
class CourseLearning:
    """What the course page shows a visitor about enrolling and their progress."""

    enrollment: object = None
    progress: object = None
    closed_reason: str | None = None
    missing_prerequisites: tuple = ()
    is_full: bool = False

    @property
    def completed_ids(self):
        return self.progress.completed_ids if self.progress else set()


@register.simple_tag(takes_context=True)
def course_learning(context, course, outline):
    """Enrollment state and progress for the current user in ``course`` (a fixed number of queries)."""
    user = context["request"].user
    state = CourseLearning(closed_reason=learning.enrollment_status(course))
    if user.is_authenticated:
        state.enrollment = learning.get_enrollment(user, course)
        if state.enrollment:
            state.progress = learning.course_progress(
                user, course, lessons=outline.lessons, enrollment=state.enrollment
            )
            return state
        state.missing_prerequisites = tuple(learning.missing_prerequisites(user, course))
    if course.capacity is not None and not state.closed_reason:
        state.is_full = course.enrollments.count() >= course.capacity
    return state


@register.inclusion_tag("courses/includes/progress_bar.html")
def progress_bar(progress, label):
    """An accessible progress bar: a native <progress> with the numbers spelled out beside it."""
    return {"progress": progress, "label": label}
