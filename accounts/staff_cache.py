"""The staff rule's answer per user, kept in the cache so that a student's page asks no permission queries.

``user.has_perm`` costs two queries (the user's own permissions and their groups') the
first time it is asked in a request. Almost everyone who asks is a plain student whose
answer never changes, so the answer is cached per user, for ``TIMEOUT`` seconds at most.
Any change that can alter it drops it sooner (``signal_handlers``): a user saved
(``is_staff``, ``is_active``, ``is_superuser``) drops theirs; a change to anyone's groups
or permissions, or to a group's, drops everyone's. While Redis is down the cache answers
from a per-process fallback (``portal.cache``): the rule is asked of the database again,
and kept per process.
"""

import time

from django.core.cache import cache

from .user_answers import per_user_entries, read_with_answers

# Longest time a cached answer may outlive a change the signals cannot see (a raw SQL update).
TIMEOUT = 300
_VERSION_KEY = "accounts:staff:version"


def _key(user_pk):
    return f"accounts:staff:user:{user_pk}"


def keys_for_user(user_pk):
    """The keys ``cached_answer`` reads for the user ``user_pk``, read with the user's other entries."""
    return [_VERSION_KEY, _key(user_pk)]


read_with_answers(keys_for_user)


def cached_answer(user, compute):
    """``compute()`` (the staff rule for ``user``), from the cache when it holds the answer.

    The version and the user's answer (stored with the version it was computed under) are read
    in one round trip with the user's other entries; an answer from before the last
    ``forget_everyone`` does not count."""
    key = _key(user.pk)
    found = per_user_entries(user)
    version = found.get(_VERSION_KEY)
    if version is None:
        version = time.time_ns()
        cache.set(_VERSION_KEY, version, timeout=None)
    entry = found.get(key)
    if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == version:
        return entry[1]
    value = bool(compute())
    cache.set(key, (version, value), TIMEOUT)
    return value


def forget_user(user_pk):
    """Drop one user's cached answer (their flags changed)."""
    cache.delete(_key(user_pk))


def forget_everyone():
    """Drop every cached answer (group membership or permissions changed)."""
    cache.set(_VERSION_KEY, time.time_ns(), timeout=None)
