from django import template

from courses.learner import course_learner

register = template.Library()


@register.simple_tag(takes_context=True)
def course_learning(context, course):
    """The request's learner context for ``course``: enrollment, progress, why enrolling is closed.

    The same object the rest of the request uses (``courses.learner.course_learner``).
    """
    return course_learner(context["request"], course)


@register.inclusion_tag("courses/includes/progress_bar.html")
def progress_bar(progress, label):
    """An accessible progress bar: a native <progress> with the numbers spelled out beside it."""
    return {"progress": progress, "label": label}
