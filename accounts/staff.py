"""The staff rules: who works on the site (``is_staff``), and what each of them works on (``works_on``).

``works_on`` is the one rule for reading as staff on the public site: a page read without
enrolling, drafts and gated lessons included, and a media item or document streamed or
downloaded whoever's course uses it. Gating (``lessons.access.may_read``), the API body,
the media views and the document view all come to it, so an instructor reads as staff in
their own courses only:

- superusers, and users with Django's ``is_staff`` flag (site staff: only a superuser can
  set it, in /django-admin/; no Ringlet role gives it), work on everything;
- everyone else with the Wagtail admin works on a **page** they may edit (Wagtail's page
  permissions: the Editors everywhere, a course's instructors in their course through its
  ``CourseAccess`` group), and on a **media item, document or image** they may use: one in
  a collection where they may change or choose it (their course's collection; every
  collection for the Editors), or one used by a page they may edit (Wagtail's reference index);
- students and visitors work on nothing, and ask no query to learn it (``is_staff`` is cached).

Each answer is kept on the user object, as Wagtail keeps its permission look-ups there, so
one request asks each question once.
"""

from wagtail.models import Page
from wagtail.permissions import policy_registry

from pagetree.services import ids_of_pages_using

from .staff_cache import cached_answer

# The user object's attribute holding its answers for this request (the user lives as long).
_ANSWERS = "_ringlet_works_on"
# What counts as using a collection's item: choosing it for a page, or editing it.
USE_ACTIONS = ("change", "choose")
_IS_STAFF = "_ringlet_is_staff"


def is_staff(user):
    """Whether ``user`` works on the site rather than studies on it.

    Active users with the Django ``is_staff`` flag or the Wagtail admin permission (editors,
    moderators, instructors; superusers have every permission). It says nothing about which
    content they may read as staff: ``works_on`` does. The permission look-up is cached per
    user (``staff_cache``), so students pay no query for it.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_staff or user.is_superuser:
        return True
    # Asked by the gate, the templates and the toolbar alike: once per user object (which is
    # per request), as Django keeps has_perm's answers on it.
    if _IS_STAFF not in user.__dict__:
        user.__dict__[_IS_STAFF] = cached_answer(user, lambda: user.has_perm("wagtailadmin.access_admin"))
    return user.__dict__[_IS_STAFF]


def works_on(user, obj):
    """Whether ``user`` reads ``obj`` (a page, or a media item, document or image) as its staff do.

    See the module docstring for the rule. ``obj`` may be None (nothing to work on: False).
    """
    if obj is None or not is_staff(user):
        return False
    if user.is_superuser or user.is_staff:
        return True
    answers = user.__dict__.setdefault(_ANSWERS, {})
    key = (obj._meta.label_lower, obj.pk)
    if key not in answers:
        answers[key] = _may_edit(user, obj) if isinstance(obj, Page) else _may_use(user, obj)
    return answers[key]


def _may_edit(user, page):
    # Wagtail keeps the user's page permissions on the user: one query per request.
    return page.permissions_for_user(user).can_edit()


def _may_use(user, item):
    if policy_registry.get(item).user_has_any_permission_for_instance(user, USE_ACTIONS, item):
        return True
    pages = Page.objects.filter(pk__in=ids_of_pages_using(item))
    return any(_may_edit(user, page) for page in pages)
