"""One version number for everything that Wagtail's page tree decides: routes, sites, view restrictions.

Cached answers derived from the page tree (which page a URL reaches, which site a host
is, which pages are restricted, whole anonymous pages) are stored under keys that
include ``current()``. Any change to the tree, its sites or its view restrictions calls
``bump()`` (``pagetree.signal_handlers``), so every such answer is dropped at once: a
publish is rare next to the reads it serves, and dropping everything is always correct,
however far the change reaches (a moved module changes every lesson URL below it).

When the cache fails, ``current()`` answers None and callers skip the cache (fail-open).

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
    """The current version (a number), or None when the cache cannot be read."""
    memo = _request_memo.get()
    if memo and memo.get("version") is not None:
        return memo["version"]
    version = _read()
    if memo is not None and version is not None:
        memo["version"] = version
    return version


def _read():
    try:
        version = cache.get(_KEY)
        if version is None:
            version = time.time_ns()
            # add: two workers starting at once agree on one version.
            if not cache.add(_KEY, version, timeout=None):
                version = cache.get(_KEY)
        return version
    except Exception:
        logger.warning("Cache unavailable; answers derived from the page tree are read afresh", exc_info=True)
        return None


def bump():
    """Invalidate every answer stored under the old version."""
    memo = _request_memo.get()
    if memo:
        memo.clear()  # this request reads the new version next time
    try:
        cache.set(_KEY, time.time_ns(), timeout=None)
    except Exception:
        # Nothing cached can be read without the cache either; the next current() starts afresh.
        logger.warning("Cache unavailable; could not drop answers derived from the page tree", exc_info=True)


_MISSING = object()


def cached(key, build, timeout):
    """``build()``, kept in the cache under ``key`` and the current version for ``timeout`` seconds.

    For answers derived from the page tree: any change to it drops them (``bump``). When the
    cache fails, ``build()`` is answered afresh (fail-open). ``None`` is a value like any other.
    """
    version = current()
    if version is None:
        return build()
    versioned = f"{key}:{version}"
    try:
        value = cache.get(versioned, _MISSING)
    except Exception:
        logger.warning("Cache unavailable; %s is read afresh", key, exc_info=True)
        return build()
    if value is not _MISSING:
        return value
    value = build()
    try:
        cache.set(versioned, value, timeout)
    except Exception:
        logger.warning("Cache unavailable; %s is not kept", key, exc_info=True)
    return value
