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
cache all ask for it. Outside requests (workers, commands) it is read each time. A reader that
fetches it together with something else in one round trip (the session, ``portal.sessions``)
hands it over with ``provide``.

Answers kept under a version are also remembered in the process (``remembered``/``remember``):
the version, read once per request anyway, is their whole key, so a request that finds them
there makes no round trip to Redis and unpickles nothing (a student's course page asked Redis
eleven times for them). Every process drops what it remembered as soon as it sees a new
version; values are shared by the requests of one process and must not be changed by them.
"""

import contextvars
import copy
import logging
import threading
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


KEY = _KEY


def provide(version):
    """The version as just read from the cache (under ``KEY``) by a caller that fetched it along
    with something else; kept for the rest of the request. Ignored outside requests and for None
    (then ``current`` reads, and creates, it as usual)."""
    memo = _request_memo.get()
    if memo is not None and version is not None and memo.get("version") is None:
        memo["version"] = version


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


_MISSING = MISSING = object()
# What a process remembers for one version is bounded by weight: an answer weighs 1, an outline
# the number of its lessons (each a page object of a few kB), so the bound is about that many page
# objects (tens of MB). Past it the process starts afresh for the version.
MAX_WEIGHT = 20_000


class _Remembered:
    """The answers this process holds for one version."""

    def __init__(self):
        self.lock = threading.Lock()
        self.version = None
        self.values = {}
        self.weight = 0


_REMEMBERED = _Remembered()


def remembered(key, version):
    """The value this process remembered for ``key`` under ``version``, or ``MISSING``."""
    if version is None or _REMEMBERED.version != version:
        return MISSING
    return _REMEMBERED.values.get(key, MISSING)


def remembered_latest(key):
    """``(version, value)``: what this process remembers for ``key`` under the latest version it
    read, or ``(None, MISSING)``. For a caller that checks the version itself (the page cache)."""
    with _REMEMBERED.lock:
        return _REMEMBERED.version, _REMEMBERED.values.get(key, MISSING)


def remember(key, version, value, weight=1):
    """Remember ``value`` for ``key`` under ``version`` in this process (dropped at the next version);
    ``weight``: about how many page objects it holds (``MAX_WEIGHT``)."""
    if version is None:
        return value
    with _REMEMBERED.lock:
        if _REMEMBERED.version != version or _REMEMBERED.weight + weight > MAX_WEIGHT:
            _REMEMBERED.version, _REMEMBERED.values, _REMEMBERED.weight = version, {}, 0
        _REMEMBERED.values[key] = value
        _REMEMBERED.weight += weight
    return value


def forget_remembered():
    """Drop everything this process remembered (tests that change the tree under one version)."""
    with _REMEMBERED.lock:
        _REMEMBERED.version, _REMEMBERED.values, _REMEMBERED.weight = None, {}, 0


def cached(key, build, timeout, weigh=None):
    """``build()``, kept in the cache under ``key`` and the current version for ``timeout`` seconds,
    and remembered in the process for that version.

    For answers derived from the page tree: any change to it drops them (``bump``). The cache
    fails open by itself (``portal.cache``). ``None`` is a value like any other. The value is
    shared by every request of the process that asks for it under the same version: read it,
    never change it. ``weigh(value)``: its weight in the process (``remember``; 1 without it).
    """
    version = current()
    if version is None:
        return build()
    value = remembered(key, version)
    if value is not MISSING:
        return value
    versioned = f"{key}:{version}"
    value = cache.get(versioned, _MISSING)
    if value is _MISSING:
        value = build()
        cache.set(versioned, value, timeout)
    return remember(key, version, value, weigh(value) if weigh else 1)


def page(model, pk):
    """The ``model`` page ``pk`` (its specific class), or None, read once per process and version
    (any save of a page replaces the version); each caller gets a copy of its own, so what one
    request sets on its page stays its own. Its locale is read with it (every view shows the
    page's language)."""
    version = current()
    key = ("pagetree:page", model._meta.label, pk)
    found = remembered(key, version)
    if found is MISSING:
        found = model.objects.select_related("locale").filter(pk=pk).first()
        if version is None:
            return found
        remember(key, version, found)
    return copy.copy(found) if found is not None else None
