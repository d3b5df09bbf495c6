"""Wagtail's page serving with its Site look-up and URL routing answered from the cache.

Wagtail finds the ``Site`` with one query and routes a URL with two queries per path
segment (the child page, then its specific row): seven for a lesson. ``serve`` answers
both from the cache, keyed by ``content_version`` so that any change to the page tree
drops them, and then hands the request to Wagtail's own ``serve`` view, which keeps its
hooks, view restrictions and the pages' own ``serve``. A cached route costs one query
(the page itself) and is trusted only if that page is still live; anything odd falls back
to Wagtail's routing. While Redis is down the cache answers from a per-process fallback
(``portal.cache``): routes are computed by Wagtail again, and kept per process.

Routes with arguments (routable pages) are not cached: they are computed each time.

With several languages the same path routes to different pages (``/fr/courses/x/`` reaches
Wagtail as ``courses/x/`` with French active, where Wagtail starts from the French home
page), so a route is kept per language.
"""

from django.apps import apps
from django.core.cache import cache
from django.utils import translation
from wagtail.models import Page
from wagtail.url_routing import RouteResult
from wagtail.views import serve as wagtail_serve

from pagetree.services import (
    NOT_REMEMBERED,
    content_version,
    page_under_content_version,
    remember_under_content_version,
    remembered_under_content_version,
)
from pagetree.services import find_site as pagetree_find_site
from pagetree.services import site_root_paths as pagetree_site_root_paths

from . import page_cache

TIMEOUT = 60 * 60 * 24


def find_site(request, version):
    """``Site.find_for_request``, from the cache (``pagetree.services.find_site``)."""
    return pagetree_find_site(request, version)


def site_root_paths(request):
    """Wagtail's root paths, once per process and content version, stored on the request, where
    Wagtail's URL building looks first (``pagetree.services.site_root_paths``)."""
    return pagetree_site_root_paths(request)


def _cached_page(entry):
    """The page a cached route names, read once per process and content version
    (``pagetree.services.page_under_content_version``), a copy for this request."""
    label, pk = entry
    try:
        return page_under_content_version(apps.get_model(label), pk)
    except LookupError:
        return None


def route(request, path):
    """Set Wagtail's per-request route for ``path`` from the cache, or compute and keep it."""
    version = content_version()
    if version is None:
        return
    site = find_site(request, version)
    if site is None or hasattr(request, "_wagtail_route_for_request"):
        return
    key = f"portal:route:{version}:{site.pk}:{translation.get_language()}:{path}"
    entry = remembered_under_content_version(key, version)
    if entry is NOT_REMEMBERED:
        entry = cache.get(key)
        if entry is not None:
            remember_under_content_version(key, version, entry)
    if entry is not None:
        page = _cached_page(entry)
        if page is not None and page.live:
            request._wagtail_route_for_request = RouteResult(page)
            return
    result = Page.route_for_request(request, path)
    if result is not None:
        page, args, kwargs = result
        if not args and not kwargs:
            entry = (page._meta.label, page.pk)
            cache.set(key, entry, TIMEOUT)
            remember_under_content_version(key, version, entry)


def serve(request, path):
    """Wagtail's ``serve`` view, with the Site and the route looked up in the cache first,
    and anonymous visitors' pages marked to be kept whole (``page_cache``, whose middleware
    answers the hits before this view is reached)."""
    route(request, path)
    site_root_paths(request)
    response = wagtail_serve(request, path)
    result = getattr(request, "_wagtail_route_for_request", None)
    if result is None:
        return response
    return page_cache.store(request, response, result[0])
