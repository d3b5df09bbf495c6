from django import template

from accounts.services import is_staff as staff_rule
from portal.languages import alternates, is_multilingual

register = template.Library()


@register.filter
def is_staff(user):
    """The one staff rule (cached per user), for templates: ``{% if request.user|is_staff %}``."""
    return staff_rule(user)


@register.simple_tag(takes_context=True)
def page_languages(context):
    """The site's languages with the URL of the page being shown in each (``portal.languages``):
    ``{% page_languages as languages %}``; empty on a single-language site or outside pages."""
    return alternates(context.get("page"))


@register.simple_tag
def multilingual():
    """Whether the site has more than one language (``LANGUAGES``)."""
    return is_multilingual()
