from django import template

from accounts.services import is_staff as staff_rule

register = template.Library()


@register.filter
def is_staff(user):
    """The one staff rule (cached per user), for templates: ``{% if request.user|is_staff %}``."""
    return staff_rule(user)
