"""The suite deletes only the keys it wrote: Redis may be shared with a `make run` or another run.

Its cache keys carry the run's prefix (``CACHE_KEY_PREFIX``, chosen per run by scripts/test.sh)
and so do its broker's queues and results (kombu's ``global_keyprefix``). Every clean-up the
suite does (rate limits, renditions, purging the queues; the cache's ``clear()``) is tried here
with keys of others around; tests/conftest.py also checks a marker outlives the whole run.
"""

import uuid

import pytest
import redis
from django.conf import settings
from django.core.cache import cache

from portal.cache import FailOpenRedisCache

pytestmark = pytest.mark.django_db


@pytest.fixture
def others():
    """Keys a `make run` on the same databases would hold: its cache's (prefix ``ringlet``), a
    task in its queues (no prefix) and a marker that belongs to nobody. Each is made unique, and
    only what this fixture wrote is removed afterwards."""
    cache_db = redis.Redis.from_url(settings.REDIS_URL)
    broker_db = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    mark = uuid.uuid4().hex
    keys = {
        (cache_db, f"marker-{mark}"): b"kept",
        (cache_db, f"ringlet:1:wagtail-rendition-{mark}"): b"a make run's rendition",
        (cache_db, f"ringlet:1:allauth:rl:login:{mark}"): b"a make run's rate limit",
        (broker_db, f"marker-{mark}"): b"kept",
    }
    for (client, key), value in keys.items():
        client.set(key, value)
    task = f'{{"a make run\'s task": "{mark}"}}'.encode()
    queues = [(broker_db, "default"), (broker_db, "media")]
    for client, queue in queues:
        client.rpush(queue, task)
    yield keys, queues, task
    for client, key in keys:
        client.delete(key)
    for client, queue in queues:
        client.lrem(queue, 0, task)


def test_a_key_outside_the_suites_own_survives_every_clean_up_it_does(others, celery_app):
    from wagtail.images import get_image_model

    keys, queues, task = others
    cache.set("own-key", "the suite's")
    cache.set("wagtail-rendition-1-abc-def-width-100", "the suite's rendition")
    assert cache.get("own-key") == "the suite's"

    get_image_model().get_rendition_model().cache_backend.delete_own_keys("wagtail-rendition-*")
    assert cache.get("wagtail-rendition-1-abc-def-width-100") is None
    assert cache.get("own-key") == "the suite's"
    cache.delete_own_keys()  # tests/account_fixtures.fresh_rate_limits
    celery_app.control.purge()  # tests/conftest.celery_worker

    assert cache.get("own-key") is None
    for (client, key), value in keys.items():
        assert client.get(key) == value, key
    for client, queue in queues:
        assert task in client.lrange(queue, 0, -1), queue


def test_own_keys_are_matched_literally_whatever_characters_the_prefix_holds():
    odd = FailOpenRedisCache(settings.REDIS_URL, {"KEY_PREFIX": f"run[1]*{uuid.uuid4().hex}"})
    client = redis.Redis.from_url(settings.REDIS_URL)
    # What the prefix would match as a glob pattern, were it not escaped.
    neighbour = f"run1x{odd.key_prefix[7:]}:1:key"
    client.set(neighbour, b"kept")
    try:
        odd.set("key", "mine")
        odd.set("other", "mine")
        assert odd.delete_own_keys() == 2
        assert odd.get("key") is None
        odd.set("key", "mine again")
        odd.clear()  # the cache API's clear() is the same deletion, never the whole database
        assert odd.get("key") is None
        assert client.get(neighbour) == b"kept"
    finally:
        client.delete(neighbour)
