"""Wagtail's page serving with its Site look-up and URL routing answered from the cache.

Wagtail finds the ``Site`` with one query and routes a URL with two queries per path
segment (the child page, then its specific row): seven for a lesson. ``serve`` answers
both from the cache, keyed by ``content_version`` so that any change to the page tree
drops them, and then hands the request to Wagtail's own ``serve`` view, which keeps its
hooks, view restrictions and the pages' own ``serve``. A cached route costs one query
(the page itself) and is trusted only if that page is still live; anything odd, or a
cache that fails, falls back to Wagtail's routing (fail-open).

Routes with arguments (routable pages) are not cached: they are computed each time.
"""

import logging

from django.apps import apps
from django.core.cache import cache
from wagtail.models import Page, Site
from wagtail.models.sites import SiteRootPath
from wagtail.url_routing import RouteResult
from wagtail.views import serve as wagtail_serve

from pagetree.services import content_version

from . import page_cache

logger = logging.getLogger(__name__)

TIMEOUT = 60 * 60 * 24


def _get(key):
    try:
        return cache.get(key)
    except Exception:
        logger.warning("Cache unavailable; routing through the database", exc_info=True)
        return None


def _set(key, value):
    try:
        cache.set(key, value, TIMEOUT)
    except Exception:
        logger.warning("Cache unavailable; the route is not kept", exc_info=True)


def find_site(request, version):
    """``Site.find_for_request``, from the cache; stored on the request as Wagtail does."""
    if hasattr(request, "_wagtail_site"):
        return request._wagtail_site
    key = f"portal:site:{version}:{request._get_raw_host()}:{request.get_port()}"
    site = _get(key)
    if site is None:
        site = Site.find_for_request(request)
        if site is not None:
            _set(key, site)
    request._wagtail_site = site
    return site


def site_root_paths(request):
    """Wagtail's root paths (kept in the cache by Wagtail), read from the database when the
    cache fails; stored on the request, where Wagtail's URL building looks first."""
    if not hasattr(request, "_wagtail_cached_site_root_paths"):
        try:
            paths = Site.get_site_root_paths()
        except Exception:
            logger.warning("Cache unavailable; site root paths are read from the database", exc_info=True)
            sites = Site.objects.select_related("root_page", "root_page__locale").order_by(
                "-root_page__url_path", "-is_default_site", "hostname"
            )
            paths = [
                SiteRootPath(
                    site.id, site.root_page.url_path, site.root_url, site.root_page.locale.language_code
                )
                for site in sites
            ]
        request._wagtail_cached_site_root_paths = paths
    return request._wagtail_cached_site_root_paths


def _cached_page(entry):
    label, pk = entry
    try:
        model = apps.get_model(label)
        return model.objects.get(pk=pk)
    except (LookupError, Page.DoesNotExist):
        return None


def route(request, path):
    """Set Wagtail's per-request route for ``path`` from the cache, or compute and keep it."""
    version = content_version()
    if version is None:
        return
    site = find_site(request, version)
    if site is None or hasattr(request, "_wagtail_route_for_request"):
        return
    key = f"portal:route:{version}:{site.pk}:{path}"
    entry = _get(key)
    if entry is not None:
        page = _cached_page(entry)
        if page is not None and page.live:
            request._wagtail_route_for_request = RouteResult(page)
            return
    result = Page.route_for_request(request, path)
    if result is not None:
        page, args, kwargs = result
        if not args and not kwargs:
            _set(key, (page._meta.label, page.pk))


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
