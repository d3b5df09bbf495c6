import logging

from django import template
from django.core.cache import cache

from courses.models import CourseIndexPage
from courses.outline import format_minutes, opens_on_text
from home.services import content_version, public

logger = logging.getLogger(__name__)
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


@register.inclusion_tag("courses/includes/catalogue_link.html", takes_context=True)
def catalogue_link(context):
    """A link to the first published catalogue, for the site navigation."""
    request = context.get("request")
    catalogue = site_catalogue()
    current = context.get("page")
    return {
        "catalogue": catalogue,
        "url": catalogue.get_url(request) if catalogue else None,
        "is_current": bool(catalogue and current and current.pk == catalogue.pk),
        "is_within": bool(catalogue and current and current.path.startswith(catalogue.path)),
    }


def site_catalogue():
    """The first published catalogue, or None; cached under the page tree's version (fail-open)."""
    version = content_version()
    key = f"courses:site-catalogue:{version}"
    if version is not None:
        try:
            found = cache.get(key)
        except Exception:
            logger.warning("Cache unavailable; the catalogue link is read from the database", exc_info=True)
            found = None
        if found is not None:
            return found or None  # False: no catalogue
    catalogue = public(CourseIndexPage.objects.live()).order_by("path").first()
    if version is not None:
        try:
            cache.set(key, catalogue or False, 60 * 60 * 24)
        except Exception:
            logger.warning("Cache unavailable; the catalogue link is not kept", exc_info=True)
    return catalogue
