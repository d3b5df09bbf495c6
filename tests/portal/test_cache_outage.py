"""The default cache against a Redis of the test's own, stopped and restarted under it."""

import time

import pytest

from portal.cache import FailOpenRedisCache
from tests.processes import RedisServer, free_port


@pytest.fixture
def own_redis(tmp_path):
    server = RedisServer(tmp_path / "redis")
    server.start()
    yield server
    server.stop()


def fail_open_cache(server):
    cache = FailOpenRedisCache(
        f"{server.url}/0",
        {"KEY_PREFIX": f"outage-{server.port}", "OPTIONS": {"socket_connect_timeout": 0.5}},
    )
    cache.retry_after = 0.2
    return cache


def test_with_redis_down_every_call_answers_from_the_fallback_instead_of_raising(own_redis):
    cache = fail_open_cache(own_redis)
    cache.set("before", "in redis")
    own_redis.stop()

    assert cache.get("before") is None  # a miss, not ConnectionError
    assert cache.has_key("before") is False
    cache.set("during", "in the fallback")
    assert cache.get("during") == "in the fallback"
    assert cache.add("counter", 1) is True
    assert cache.incr("counter") == 2
    assert cache.get_many(["during", "counter"]) == {"during": "in the fallback", "counter": 2}
    cache.delete("during")
    assert cache.get("during") is None
    with pytest.raises(Exception, match=r"Connection refused"):
        cache.ping()  # /ready/ still sees the outage


def test_after_one_failure_redis_is_not_tried_again_for_a_moment(own_redis):
    cache = fail_open_cache(own_redis)
    cache.retry_after = 30
    own_redis.stop()
    cache.get("anything")
    assert not cache.redis_available
    own_redis.start()
    # Within the pause the fallback answers, even though Redis is back.
    cache.set("k", "fallback")
    assert cache.get("k") == "fallback"
    # /ready/'s ping sees Redis back and closes the circuit at once.
    cache.ping()
    assert cache.redis_available
    assert cache.get("k") is None  # the fallback's copy is gone, and Redis never had it


def test_keys_written_during_the_outage_lose_their_stale_copy_when_redis_returns(own_redis):
    """A session deleted (logged out) during an outage must not come back from Redis."""
    cache = fail_open_cache(own_redis)
    cache.set("session", "logged in")
    cache.set("untouched", "kept")
    own_redis.stop()
    cache.delete("session")  # reaches only the fallback (the database, for sessions)
    own_redis.start()  # with its append-only file: the old copy is back in Redis
    time.sleep(cache.retry_after + 0.05)

    assert cache.get("session") is None
    assert cache.get("untouched") == "kept"
    assert cache.redis_available
    cache.set("after", "in redis again")
    assert fail_open_cache(own_redis).get("after") == "in redis again"


def test_sessions_are_never_kept_in_the_per_process_fallback(own_redis):
    """A logout on another process must end the session here too: with Redis down, session
    keys always miss, so the session backend reads the database every time."""
    cache = fail_open_cache(own_redis)
    own_redis.stop()
    key = "django.contrib.sessions.cached_dbabc123"
    cache.set(key, {"_auth_user_id": "1"})
    assert cache.get(key) is None
    assert cache.has_key(key) is False
    cache.set("other", "kept per process")
    assert cache.get("other") == "kept per process"


@pytest.fixture(
    params=[
        # A replica whose primary is gone (as after a failover gone wrong): "READONLY".
        ["--replicaof", "127.0.0.1", "{closed_port}"],
        # Full, and told never to evict: "OOM command not allowed".
        ["--maxmemory", "1", "--maxmemory-policy", "noeviction"],
    ],
    ids=["read-only replica", "out of memory"],
)
def refusing_redis(request, tmp_path):
    """A redis-server of the test's own that answers but refuses every write."""
    server = RedisServer(
        tmp_path / "redis", extra_args=[arg.format(closed_port=free_port()) for arg in request.param]
    )
    server.start()
    yield server
    server.stop()


def test_a_redis_that_answers_but_refuses_writes_is_failed_open_too(refusing_redis):
    """Every caller calls the cache plainly (portal/cache.py is the one place that fails open),
    so a Redis error that is not a lost connection must not reach them either."""
    cache = fail_open_cache(refusing_redis)

    assert cache.get("nothing-yet") is None
    cache.set("kept", "in the fallback")  # refused by Redis: no error raised
    assert not cache.redis_available
    assert cache.get("kept") == "in the fallback"
    assert cache.add("counter", 1) is True
    assert cache.incr("counter") == 2


def test_shared_keys_are_never_kept_in_the_per_process_fallback(own_redis):
    """A student's own answers (``accounts.user_answers``) live under "shared:" keys: a process
    keeping its own copy while Redis is down would miss the other processes' writes."""
    cache = fail_open_cache(own_redis)
    own_redis.stop()
    cache.set("shared:accounts:answers:1", (1, {"enrollment": "kept"}))
    assert cache.get("shared:accounts:answers:1") is None
    assert cache.get_many(["shared:accounts:answers:1"]) == {}
