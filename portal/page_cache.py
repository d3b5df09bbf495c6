"""Whole Wagtail pages for anonymous visitors, from the cache; conditional requests and Cache-Control.

Course pages, the catalogue (with its filter and search query strings), free-preview
lessons and the home page are what visitors who are not logged in read most, and they are
the same for all of them. ``serve`` keeps such a response in the default cache (Redis in
production, the local-memory cache in ``make run``) under the page tree's version
(``pagetree.services.content_version``), so that any publish, unpublish, move or delete (and
a media item's new version, ``lessons.signal_handlers``) drops every cached page at once:
the catalogue, the course outline and the previous/next links of neighbours included.

What is never stored or served from here:
- a request carrying a session or messages cookie (a logged-in user, or anyone with
  something of their own to see), or a method other than GET and HEAD;
- a query string with parameters other than the catalogue's, or longer than 200 characters
  (so the number of variants stays bounded);
- a response that is not a plain 200, sets a cookie, used the CSRF token or the session,
  is marked private or no-cache (view restrictions), or plays media still being encoded.
Previews and shared drafts are served by Wagtail's admin views, never through here.

A page's language is its URL's (``/fr/...``, none for the default language; README,
"Languages"), never the visitor's cookie or browser, so one key per URL serves every visitor
the right language; the key names the language as well.

While Redis is down the cache answers from a per-process fallback (``portal.cache``, which
fails open and logs the outage once), so pages are still served, kept per process.

Two halves: ``store`` (called by the serve view, which knows the page) decides whether a
response may be shared and marks it; ``PageCacheMiddleware``, near the top of the middleware
stack, keeps marked responses with the headers the inner middleware added, and answers hits
before sessions, CSRF, authentication, URL resolution and Wagtail run at all: a hit costs one
round trip to the cache (the version and the page, read together) and no query.
"""

import hashlib
import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from wagtail.models import ReferenceIndex
from wagtailmedia.models import get_media_model

from pagetree.services import (
    CONTENT_VERSION_KEY,
    NOT_REMEMBERED,
    content_version,
    provide_content_version,
    remember_under_content_version,
    remembered_under_latest_version,
)

# The catalogue's filters, search and pagination (courses/catalogue.py); nothing else varies a page.
QUERY_PARAMETERS = frozenset({"q", "category", "level", "page"})
MAX_QUERY_LENGTH = 200
PERSONAL_COOKIES = (settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name)
# Set afresh for each response by the middleware above this one, or per request.
UNSHARED_HEADERS = frozenset({"x-page-cache", "x-request-id", "set-cookie", "date"})


def is_cacheable_request(request):
    """Whether ``request`` may be answered from (and fill) the anonymous page cache."""
    if request.method not in ("GET", "HEAD") or getattr(request, "is_preview", False):
        return False
    if any(name in request.COOKIES for name in PERSONAL_COOKIES):
        return False
    query = request.META.get("QUERY_STRING", "")
    return len(query) <= MAX_QUERY_LENGTH and all(key in QUERY_PARAMETERS for key in request.GET)


def page_language(request):
    """The language a page URL is served in: its prefix's (``/fr/...``), else the default
    language (``i18n_patterns`` without a prefix for it: never the browser's or a cookie's)."""
    return translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE


def _key(request):
    """The page's key. The content version is not in it but in the entry, which counts only under
    that version: a hit reads the version and the page together, in one round trip."""
    query = urlencode(sorted((k, v) for k in request.GET for v in request.GET.getlist(k)))
    url = f"{request.scheme}://{request.get_host()}{request.path}?{query}"
    # The language is in the path already; naming it too keeps the rule visible and sure.
    return f"portal:page:{page_language(request)}:{hashlib.sha256(url.encode()).hexdigest()}"


def _headers(response, etag, last_modified):
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    patch_vary_headers(response, ["Cookie"])
    patch_cache_control(response, public=True, max_age=0, s_maxage=settings.PAGE_CACHE_S_MAXAGE)


def cached_response(request):
    """The cached page for ``request`` (or a 304 for it), or None."""
    if not is_cacheable_request(request):
        return None
    key = _key(request)
    # The process keeps the pages it served under the version it last read: then only the
    # version comes from Redis (a few bytes instead of the page, unpickled), and the page counts
    # if the version is still that one and it is younger than PAGE_CACHE_SECONDS, as in Redis.
    known_version, entry = remembered_under_latest_version(key)
    from_redis = entry is NOT_REMEMBERED
    if not from_redis:
        version = cache.get(CONTENT_VERSION_KEY)
        from_redis = (
            version != known_version or time.time() - entry["last_modified"] > settings.PAGE_CACHE_SECONDS
        )
    if from_redis:
        found = cache.get_many([CONTENT_VERSION_KEY, key])
        version = found.get(CONTENT_VERSION_KEY)
        entry = found.get(key)
    if version is None:
        content_version()  # none yet: made now, so the page can be kept on its way out
        return None
    provide_content_version(version)
    # An entry kept under an older version (a publish since), or in an older release's shape: a miss.
    if not isinstance(entry, dict) or entry.get("version") != version or "headers" not in entry:
        return None
    if from_redis:
        remember_under_content_version(key, version, entry, 1 + len(entry["content"]) // 4096)
    response = HttpResponse(entry["content"])
    # Into Django's header store as they are: each was checked when the page was made, and
    # checking the dozen again (``response[name] = value``) was 5% of a hit's instructions.
    response.headers._store.update((name.lower(), (name, value)) for name, value in entry["headers"])
    response["X-Page-Cache"] = "hit"
    return get_conditional_response(
        request, etag=entry["etag"], last_modified=entry["last_modified"], response=response
    )


def _plays_media_being_encoded(page):
    """Whether ``page`` uses a media item that is not ready yet (its player will change)."""
    references = ReferenceIndex.get_references_for_object(page)
    media_model = get_media_model()
    ids = [
        int(ref.to_object_id)
        for ref in references.filter(to_content_type__app_label=media_model._meta.app_label)
        if ref.to_object_id.isdigit()
    ]
    if not ids:
        return False
    return media_model.objects.filter(pk__in=ids).exclude(status="ready", version__gt="").exists()


def _is_cacheable_response(request, response):
    cache_control = response.get("Cache-Control", "")
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not any(word in cache_control for word in ("private", "no-cache", "no-store"))
        and user is not None
        and not user.is_authenticated
        # get_token() was called: the page holds a CSRF token (a form), which is per visitor.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not (session is not None and session.modified)
        and b"csrfmiddlewaretoken" not in response.content
    )


def store(request, response, page):
    """Mark ``response`` (rendered) to be kept for anonymous visitors if it may be shared, and set
    its headers; ``PageCacheMiddleware`` keeps it once the inner middleware is done with it."""
    if not is_cacheable_request(request) or request.method != "GET":
        return _private(response)
    if hasattr(response, "render"):
        response = response.render()
    if not _is_cacheable_response(request, response) or _plays_media_being_encoded(page):
        return _private(response)
    etag = f'"{hashlib.md5(response.content, usedforsecurity=False).hexdigest()}"'
    last_modified = int(time.time())
    _headers(response, etag, last_modified)
    response._page_cache = {"etag": etag, "last_modified": last_modified}
    return get_conditional_response(request, etag=etag, last_modified=last_modified, response=response)


def _keep(request, response):
    """Keep a response that ``store`` marked, with the headers it has now."""
    entry = getattr(response, "_page_cache", None)
    # Only the 200 itself (a 304 has no body to keep), and never one that gained a cookie
    # (a session or CSRF cookie set on the way out) after ``store`` looked at it.
    if entry is None or response.status_code != 200 or response.cookies:
        return
    version = content_version()
    if version is None:
        return
    entry = {
        **entry,
        "version": version,
        "content": response.content,
        "headers": [
            (name, value) for name, value in response.items() if name.lower() not in UNSHARED_HEADERS
        ],
    }
    cache.set(_key(request), entry, settings.PAGE_CACHE_SECONDS)
    response["X-Page-Cache"] = "miss"


class PageCacheMiddleware:
    """Answers anonymous visitors from the page cache before the rest of the stack runs, and keeps
    the pages ``store`` marked as they leave it. Sits below the request id and security headers
    (which every response gets afresh) and above sessions, CSRF and authentication."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        cached = cached_response(request)
        if cached is not None:
            return cached
        response = self.get_response(request)
        _keep(request, response)
        return response


def _private(response):
    """Pages for one person (or not shareable yet) stay out of shared caches."""
    if "no-cache" not in response.get("Cache-Control", ""):
        patch_cache_control(response, private=True)
    return response
