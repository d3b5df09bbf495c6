from django import template

from courses.models import CourseIndexPage
from courses.outline import format_minutes, opens_on_text
from pagetree.services import cached_under_content_version, public

register = template.Library()


@register.filter
def duration(minutes):
    """Minutes as a short human duration: ``95|duration`` → ``1 h 35 min``."""
    return format_minutes(minutes)


@register.filter
def isotime(value):
    """A datetime as a valid ``<time datetime>``: ISO 8601 in the site's time zone, whole seconds."""
    if not value:
        return ""
    from django.utils import timezone

    return timezone.localtime(value).replace(microsecond=0).isoformat()


@register.filter
def opens_on(lesson, dates):
    """``lesson|opens_on:learning.opens_on``: "Opens on 3 March 2027" for a drip lesson still closed."""
    date = (dates or {}).get(lesson.pk)
    return f"Opens on {opens_on_text(date)}" if date else ""


@register.filter
def lesson_score(lesson, scores):
    """The percent the student scored in ``lesson`` (``CourseLearner.lesson_scores``), or None."""
    return (scores or {}).get(lesson.pk)


@register.inclusion_tag("courses/includes/catalogue_link.html", takes_context=True)
def catalogue_link(context):
    """A link to the first published catalogue, for the site navigation (no query once cached)."""
    catalogue, url = site_catalogue()
    current = context.get("page")
    return {
        "catalogue": catalogue,
        "url": url,
        "is_current": bool(catalogue and current and current.pk == catalogue.pk),
        "is_within": bool(catalogue and current and current.path.startswith(catalogue.path)),
    }


def site_catalogue():
    """``(catalogue, url)``: the first published catalogue (or None) and its URL as linked from any
    page (``get_url`` without a request: root-relative on a single site), cached together under
    the page tree's version, which a Site change replaces too (fail-open). Asking for the URL on
    each request looked the request's Site up off Wagtail pages: a query."""

    def build():
        catalogue = public(CourseIndexPage.objects.live()).order_by("path").first()
        return catalogue, catalogue.get_url(None) if catalogue else None

    return cached_under_content_version("courses:site-catalogue-link", build, 60 * 60 * 24)
