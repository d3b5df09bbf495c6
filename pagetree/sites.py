"""The request's Wagtail ``Site``, answered from the cache under the content version (a Site
change replaces the version), and stored on the request where Wagtail looks first.

Wagtail's ``Site.find_for_request`` costs a query the first time a request asks, which every
``{% pageurl %}`` does (``Page.get_url`` with a request). Page views get the Site from the
routing (``portal/routing.py``); other views that link pages (the dashboard) ask here first."""

from django.core.cache import cache
from wagtail.models import Site

from .content_version import MISSING, cached, current, remember, remembered

TIMEOUT = 60 * 60 * 24


def find_site(request, version=None):
    """``Site.find_for_request``, from the cache; stored on the request as Wagtail does."""
    if hasattr(request, "_wagtail_site"):
        return request._wagtail_site
    version = version if version is not None else current()
    key = f"portal:site:{version}:{request._get_raw_host()}:{request.get_port()}"
    site = remembered(key, version)
    if site is MISSING:
        site = cache.get(key) if version is not None else None
        if site is None:
            site = Site.find_for_request(request)
            if site is not None and version is not None:
                cache.set(key, site, TIMEOUT)
        if site is not None:
            remember(key, version, site)
    request._wagtail_site = site
    return site


def site_root_paths(request=None):
    """Wagtail's site root paths (``Site.get_site_root_paths``, which every page URL needs), once
    per process and content version (a Site change replaces it), stored on ``request`` where
    Wagtail's URL building looks first."""
    if request is not None and hasattr(request, "_wagtail_cached_site_root_paths"):
        return request._wagtail_cached_site_root_paths
    paths = cached("portal:site-root-paths", Site.get_site_root_paths, TIMEOUT)
    if request is not None:
        request._wagtail_cached_site_root_paths = paths
    return paths
