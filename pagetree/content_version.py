"""One version number for everything that Wagtail's page tree decides: routes, sites, view restrictions.

Cached answers derived from the page tree (which page a URL reaches, which site a host
is, which pages are restricted, whole anonymous pages) are stored under keys that
include ``current()``. Any change to the tree, its sites or its view restrictions calls
``bump()`` (``pagetree.signal_handlers``), so every such answer is dropped at once: a
publish is rare next to the reads it serves, and dropping everything is always correct,
however far the change reaches (a moved module changes every lesson URL below it).

The cache fails open by itself (``portal.cache``: a per-process cache while Redis is down).

Within a request the version is read from the cache once (``begin_request``/``end_request``,
connected to Django's request signals): routing, view restrictions, the outline and the page
cache all ask for it. Outside requests (workers, commands) it is read each time.
"""

import contextvars
import logging
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)

_KEY = "portal:content-version"
# {} during a request, holding the version once read; None outside requests.
_request_memo = contextvars.ContextVar("content_version_memo", default=None)


def begin_request(**kwargs):
    _request_memo.set({})


def end_request(**kwargs):
    _request_memo.set(None)


def current():
    """The current version (a number), or None if the cache keeps nothing (callers then skip it)."""
    memo = _request_memo.get()
    if memo and memo.get("version") is not None:
        return memo["version"]
    version = _read()
    if memo is not None and version is not None:
        memo["version"] = version
    return version


def _read():
    version = cache.get(_KEY)
    if version is None:
        version = time.time_ns()
        # add: two workers starting at once agree on one version.
        if not cache.add(_KEY, version, timeout=None):
            version = cache.get(_KEY)
    return version


def bump():
    """Invalidate every answer stored under the old version."""
    memo = _request_memo.get()
    if memo:
        memo.clear()  # this request reads the new version next time
    cache.set(_KEY, time.time_ns(), timeout=None)


_MISSING = object()


def cached(key, build, timeout):
    """``build()``, kept in the cache under ``key`` and the current version for ``timeout`` seconds.

    For answers derived from the page tree: any change to it drops them (``bump``). The cache
    fails open by itself (``portal.cache``). ``None`` is a value like any other.
    """
    version = current()
    if version is None:
        return build()
    versioned = f"{key}:{version}"
    value = cache.get(versioned, _MISSING)
    if value is _MISSING:
        value = build()
        cache.set(versioned, value, timeout)
    return value
