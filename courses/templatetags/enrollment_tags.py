from django import template
from django.utils.html import format_html
from django.utils.text import slugify
from django.utils.translation import gettext, ngettext

from courses.learner import course_learner

register = template.Library()


@register.simple_tag(takes_context=True)
def course_learning(context, course):
    """The request's learner context for ``course``: enrollment, progress, why enrolling is closed.

    The same object the rest of the request uses (``courses.learner.course_learner``).
    """
    return course_learner(context["request"], course)


@register.simple_tag
def progress_bar(progress, label):
    """An accessible progress bar: a native <progress> with the numbers spelled out beside it.

    Written in Python rather than an included template: the dashboard shows one per course, and
    the template's look-ups cost more than the rest of a course's entry. A <progress> needs a
    maximum above zero: a course with no published lesson yet says so instead."""
    if not progress.total:
        return format_html(
            '<div class="progress">\n  <span class="progress__label">{}</span>\n'
            '  <span class="progress__text">{}</span>\n</div>',
            label,
            gettext("No lessons are published in this course yet."),
        )
    done, total, percent = progress.done, progress.total, progress.percent
    numbers = {"done": done, "total": total, "percent": percent}
    bar_id = f"progress-{getattr(progress.enrollment, 'pk', None) or 'course'}-{slugify(label)}"
    return format_html(
        '<div class="progress">\n  <label class="progress__label" for="{}">{}</label>\n'
        '  <progress id="{}" class="progress__bar" max="{}" value="{}" aria-valuetext="{}">{}%</progress>\n'
        '  <span class="progress__text" data-progress-percent="{}">{}</span>\n</div>',
        bar_id,
        label,
        bar_id,
        total,
        done,
        gettext("%(done)s of %(total)s lessons complete (%(percent)s%%)") % numbers,
        percent,
        percent,
        ngettext(
            "%(done)s of %(total)s lesson complete (%(percent)s%%)",
            "%(done)s of %(total)s lessons complete (%(percent)s%%)",
            total,
        )
        % numbers,
    )
