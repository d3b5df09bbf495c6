from django import template

from lessons.learner import lesson_learner

register = template.Library()


@register.simple_tag(takes_context=True)
def lesson_learning(context, lesson):
    """The request's learner context for ``lesson``: access, enrollment, completions, playback positions.

    The same object the gate hook decided with (``lessons.learner.lesson_learner``).
    """
    return lesson_learner(context["request"], lesson)
