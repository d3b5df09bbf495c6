from django import template

from courses.models import CourseIndexPage
from courses.outline import format_minutes

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


@register.inclusion_tag("courses/includes/catalogue_link.html", takes_context=True)
def catalogue_link(context):
    """A link to the first published catalogue, for the site navigation."""
    request = context.get("request")
    catalogue = CourseIndexPage.objects.live().public().order_by("path").first()
    current = context.get("page")
    return {
        "catalogue": catalogue,
        "url": catalogue.get_url(request) if catalogue else None,
        "is_current": bool(catalogue and current and current.pk == catalogue.pk),
        "is_within": bool(catalogue and current and current.path.startswith(catalogue.path)),
    }
