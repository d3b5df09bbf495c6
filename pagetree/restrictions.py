"""Wagtail's view-restriction check answered from the cache for the (usual) unrestricted page.

Wagtail asks two queries of every page it serves (the ancestors' aliases, then their
restrictions), and ``.public()`` one more per listing. Few sites restrict any page, so the
paths of restricted pages are kept in the cache under the page tree's version
(``content_version``: a restriction added or removed, or a page moved or deleted, drops
them); a page none of them is above has no restriction, without a query.
"""

import logging

from django.core.cache import cache
from wagtail.models import PageViewRestriction

from . import content_version

logger = logging.getLogger(__name__)


def restricted_paths():
    """The tree paths of the pages that carry a view restriction, or None without a content version."""
    version = content_version.current()
    if version is None:
        return None
    key = f"pagetree:restricted-paths:{version}"
    paths = content_version.remembered(key, version)
    if paths is content_version.MISSING:
        paths = cache.get(key)
        if paths is None:
            paths = tuple(PageViewRestriction.objects.values_list("page__path", flat=True))
            cache.set(key, paths, 60 * 60 * 24)
        content_version.remember(key, version, paths)
    return paths


def is_unrestricted(page):
    """True when no view restriction can apply to ``page`` (known from the cache); False when unsure."""
    if page.alias_of_id is not None:
        return False  # an alias takes its source page's restrictions: let Wagtail look
    paths = restricted_paths()
    return paths is not None and not any(page.path.startswith(path) for path in paths)


class CachedViewRestrictionsMixin:
    """For page models: no restriction queries when no page above carries one."""

    def get_view_restrictions(self):
        if is_unrestricted(self):
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()


def public(pages):
    """``pages.public()`` without its restriction query when no page carries a restriction."""
    return pages if restricted_paths() == () else pages.public()
