"""The default cache: Redis, failing open onto a per-process cache while Redis is unreachable.

Redis is an accelerator, never a dependency (README: ``REDIS_URL`` in "Configuration", and
"Caching" under "Architecture"). Django's ``RedisCache`` raises
``redis.exceptions.ConnectionError`` from every call when Redis is down, and Wagtail's
``Site.get_site_root_paths``, the ``cached_db`` session backend and allauth's rate limits
all call the cache on every request, so an outage was a full site outage.

This is the one place the cache fails open: the code that calls it (routing, the page
cache, the content version, the staff rule) calls it plainly, as it would any cache.
A Redis that answers but refuses to serve (a replica left read-only by a failover, a full
``maxmemory`` with ``noeviction``, ``MISCONF`` when it cannot persist, still loading its
data) counts as down too: every Redis error does.

Why a thin wrapper around Django's backend rather than django-redis' ``IGNORE_EXCEPTIONS``:

* ``IGNORE_EXCEPTIONS`` turns every failed call into "miss" / "not stored". allauth's rate
  limits then count nothing at all during an outage; here they keep counting in a
  per-process fallback (each web process counts on its own: weaker, but never off).
* It pays the connection timeout on every call for as long as Redis is down. Here one
  failure opens a circuit for ``RETRY_AFTER`` seconds, during which the fallback answers
  without touching the network, so pages are slower by one timeout at most, not one per
  cache call.
* Writes made during the outage (a session saved or deleted, a logout) reach only the
  database and the fallback, so Redis may still hold the old copy when it comes back: a
  logged-out session would come back to life. This wrapper remembers the keys it failed to
  write and deletes them from Redis as soon as it reaches Redis again (or clears the whole
  cache if too many keys were written to remember them all).
* Sessions never go to the fallback: a logout on one process must end the session on all of
  them, so while Redis is down they are read from the database every time.
* It keeps Django's own backend (and its client and serializer) under the hood.
* ``clear()`` deletes this cache's own keys (those under its ``KEY_PREFIX``), where Django's
  empties the whole Redis database: that may be shared with other portals, a broker, or a
  test run beside a ``make run``, so the prefix is what this cache owns (``delete_own_keys``).

One Redis client per process: Django's ``RedisCacheClient.get_client`` builds a new redis-py
``Redis`` object for every command (67 µs with redis-py 8.1 on the bench machine, more than the
GET it sends: 56 µs), and Django makes one cache object, with its own connection pools, per
thread. ``SharedRedisCacheClient`` keeps one client per server and one
``RedisCacheClient`` per process for each configuration, shared by every thread (redis-py's
client and pool are thread-safe; its pool reconnects after a fork, so gunicorn's preloading
master hands each worker a usable one). Why not django-redis (7.0, read for this): its
``DefaultClient`` also keeps a client per server and a process-wide pool, but switching would
mean its own serializer and key format under every cached value and session, and rebuilding
this fail-open wrapper on its ``IGNORE_EXCEPTIONS`` model (see above); reusing the client is
the one thing it does that Django's backend lacked, and it is a dozen lines here.

``with_client(work)`` runs ``work(client)`` on that client behind the same circuit, for what the
cache API cannot say in one round trip (a Lua script, a pipeline): ``lessons`` buffers playback
positions that way. It answers ``unavailable`` instead of raising while Redis is down.

Every failure is logged once per outage (WARNING "cache unreachable"), and recovery once.
Reads are counted in django-prometheus' cache metrics (label ``backend="native_redis"``):
a read Redis did not answer, because it failed or the circuit was open, counts as a failed
get, so an outage shows on /metrics.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django_prometheus.cache.metrics import (
    django_cache_get_fail_total,
    django_cache_get_total,
    django_cache_hits_total,
    django_cache_misses_total,
)
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Seconds after a failure during which Redis is not tried again.
RETRY_AFTER = 5.0
# Past this many keys written during one outage, recovery clears the whole cache instead.
MAX_STALE_KEYS = 10_000
# Keys the fallback never holds: a session is shared by every process (a logout on one must
# end it on all), so while Redis is down sessions come from the database every time. So are
# keys starting "shared:", for any answer a process must not keep on its own while it cannot
# see the others' writes (a student's own records: ``accounts.user_answers``).
NOT_PER_PROCESS = ("django.contrib.sessions.cached_db", "shared:")
# What each single-key call answers for such a key while Redis is down.
MISSES = {"get": lambda args: args[1], "has_key": lambda args: False, "add": lambda args: True}
# What makes Redis unusable for a moment: it is down, slow, or refuses (read-only, full, ...).
UNREACHABLE = (RedisError, OSError)
# The label of this backend in django-prometheus' cache metrics, and its counters bound to it
# once: ``labels()`` looks the child up again at each call (with the client's key below, made
# once too, 2% of the instructions of a page-cache hit, measured with callgrind).
METRICS_BACKEND = "native_redis"
GETS, GET_FAILURES, HITS, MISSES_COUNTED = (
    counter.labels(backend=METRICS_BACKEND)
    for counter in (
        django_cache_get_total,
        django_cache_get_fail_total,
        django_cache_hits_total,
        django_cache_misses_total,
    )
)


class _Outage:
    """What one process knows about its Redis: shared by the per-thread cache objects
    Django creates, like the fallback's storage (LocMemCache shares storage by name)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.down_until = 0.0
        self.ongoing = False
        self.stale = set()
        self.overflow = False


_OUTAGES = {}
_OUTAGES_LOCK = threading.Lock()
# Keys are deleted in batches of this many, found with SCAN (never KEYS, which blocks Redis).
DELETE_BATCH = 1000


def glob_escape(text):
    """``text`` matched literally in a Redis glob pattern (SCAN's MATCH)."""
    return "".join(f"\\{char}" if char in "*?[]\\" else char for char in text)


class SharedRedisCacheClient(RedisCacheClient):
    """Django's client wrapper, keeping one redis-py client per server instead of one per call."""

    def __init__(self, servers, **options):
        super().__init__(servers, **options)
        self._clients = {}
        self._clients_lock = threading.Lock()

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            with self._clients_lock:
                if index not in self._pools:
                    self._pools[index] = self._pool_class.from_url(self._servers[index], **self._pool_options)
                client = self._clients.setdefault(index, self._client(connection_pool=self._pools[index]))
        return client


_CLIENTS = {}
_CLIENTS_LOCK = threading.Lock()


class FailOpenRedisCache(RedisCache):
    """Django's ``RedisCache``, answering from a per-process ``LocMemCache`` while Redis is down."""

    retry_after = RETRY_AFTER

    @property
    def _cache(self):
        """One ``SharedRedisCacheClient`` per process and configuration, whichever thread asks."""
        key = self._client_key
        client = _CLIENTS.get(key)
        if client is None:
            with _CLIENTS_LOCK:
                client = _CLIENTS.get(key)
                if client is None:
                    client = _CLIENTS[key] = SharedRedisCacheClient(self._servers, **self._options)
        return client

    def with_client(self, work, unavailable=None):
        """``work(client)`` on this cache's redis-py client, or ``unavailable`` while Redis is down
        (a failure opens the circuit, as any cache call's does). For scripts and pipelines."""
        if self.redis_available:
            try:
                if self._state.ongoing:
                    self._recover()
                return work(self._cache.get_client(write=True))
            except UNREACHABLE as exc:
                self._failed(exc)
        return unavailable

    def __init__(self, server, params):
        super().__init__(server, params)
        # Which shared client is this cache's: made once, not on every call.
        self._client_key = (tuple(self._servers), repr(sorted(self._options.items())))
        name = f"fail-open:{server}:{params.get('KEY_PREFIX', '')}"
        self._fallback = LocMemCache(name, {"TIMEOUT": params.get("TIMEOUT", 300)})
        with _OUTAGES_LOCK:
            self._state = _OUTAGES.setdefault(name, _Outage())

    # --- state ------------------------------------------------------------------------
    @property
    def redis_available(self):
        """False while the circuit is open (Redis failed less than ``retry_after`` seconds ago)."""
        return time.monotonic() >= self._state.down_until

    def _failed(self, exc, made_keys=()):
        state = self._state
        with state.lock:
            if not state.ongoing:
                logger.warning("cache unreachable, answering from the per-process fallback: %s", exc)
            state.ongoing = True
            state.down_until = time.monotonic() + self.retry_after
        self._remember(made_keys)

    def _remember(self, made_keys):
        """Note keys written while Redis was unreachable: Redis may hold an older copy of them."""
        state = self._state
        if not made_keys:
            return
        with state.lock:
            if not state.overflow:
                state.stale.update(made_keys)
                if len(state.stale) > MAX_STALE_KEYS:
                    state.overflow, state.stale = True, set()

    def _recover(self):
        """Before the first call after an outage: drop from Redis what may be stale there.

        Raises like any Redis call if Redis is still unreachable."""
        state = self._state
        with state.lock:
            stale, overflow = state.stale, state.overflow
            state.stale, state.overflow = set(), False
        try:
            if overflow:
                self.delete_own_keys()
            elif stale:
                self._cache.delete_many(list(stale))
        except UNREACHABLE:
            with state.lock:
                state.overflow = state.overflow or overflow
                if not state.overflow:
                    state.stale.update(stale)
            raise
        with state.lock:
            state.ongoing = False
        self._fallback.clear()
        logger.warning(
            "cache reachable again; %s", "cleared it" if overflow else f"dropped {len(stale)} stale keys"
        )

    def _made(self, keys, version):
        return [self.make_key(key, version=version) for key in keys]

    def _call(self, name, args, kwargs, written=()):
        """Call RedisCache.<name>, or the fallback's when Redis is down or fails."""
        if self.redis_available:
            try:
                if self._state.ongoing:
                    self._recover()
                return getattr(super(), name)(*args, **kwargs)
            except UNREACHABLE as exc:
                self._failed(exc, self._made(written, kwargs.get("version")))
        else:
            self._remember(self._made(written, kwargs.get("version")))
        if name == "get":
            GET_FAILURES.inc()
        if name in ("get", "has_key", "add", "set", "delete", "touch") and str(args[0]).startswith(
            NOT_PER_PROCESS
        ):
            return MISSES.get(name, lambda args: None)(args)
        return getattr(self._fallback, name)(*args, **kwargs)

    # --- the cache API ------------------------------------------------------------------
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", (key, value, timeout), {"version": version}, written=[key])

    def get(self, key, default=None, version=None):
        GETS.inc()
        missing = object()
        value = self._call("get", (key, missing), {"version": version})
        if value is missing:
            MISSES_COUNTED.inc()
            return default
        HITS.inc()
        return value

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", (key, value, timeout), {"version": version}, written=[key])

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", (key, timeout), {"version": version}, written=[key])

    def delete(self, key, version=None):
        return self._call("delete", (key,), {"version": version}, written=[key])

    def get_many(self, keys, version=None):
        return self._call("get_many", (keys,), {"version": version})

    def has_key(self, key, version=None):
        return self._call("has_key", (key,), {"version": version})

    def incr(self, key, delta=1, version=None):
        return self._call("incr", (key, delta), {"version": version}, written=[key])

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", (data, timeout), {"version": version}, written=list(data))

    def delete_many(self, keys, version=None):
        return self._call("delete_many", (keys,), {"version": version}, written=list(keys))

    def delete_own_keys(self, match="*"):
        """Delete this cache's keys whose key (after the prefix and version) matches the glob
        ``match``; every one of its keys by default. Keys without this cache's ``KEY_PREFIX``
        are never touched. Returns how many were deleted; raises if Redis is unreachable."""
        client = self._cache.get_client(write=True)
        prefix = glob_escape(self.key_prefix)
        pattern = f"{prefix}:*" if match == "*" else f"{prefix}:*:{match}"
        deleted, batch = 0, []
        for key in client.scan_iter(match=pattern, count=DELETE_BATCH):
            batch.append(key)
            if len(batch) >= DELETE_BATCH:
                deleted += client.unlink(*batch)
                batch = []
        if batch:
            deleted += client.unlink(*batch)
        return deleted

    def clear(self):
        """Delete this cache's own keys (``delete_own_keys``), not the whole Redis database."""
        state = self._state
        if self.redis_available:
            try:
                result = self.delete_own_keys()
            except UNREACHABLE as exc:
                self._failed(exc)
            else:
                with state.lock:
                    state.ongoing, state.stale, state.overflow = False, set(), False
                self._fallback.clear()
                return result
        with state.lock:
            # Everything in Redis is suspect now.
            state.overflow, state.stale = True, set()
        return self._fallback.clear()

    def ping(self):
        """Raise if Redis itself cannot be reached right now (for /ready/), ignoring the circuit.

        A success closes the circuit, so the next call cleans up and uses Redis again."""
        self._cache.get_client(write=True).ping()
        self._state.down_until = 0.0
