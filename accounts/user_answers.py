"""Answers about one user's own learning records, kept in the cache until any of those records changes.

A student's pages ask the same questions of the database on every view: their enrollment in
the course, which of its lessons they completed, their scores; the dashboard asks for all their
enrollments. The answers change only when the student (or staff acting on their records) writes
one of those rows, so they are kept per user, in one cache entry with every answer, under a
version of that user's records (``remember_for_user``). Any write to them replaces the version
once its transaction commits (``forget_for_user``, called by the apps that own the rows: courses
for enrollments, lessons for completions, packages for scores), so an answer is never read
after the row it came from changed, and a student's page asks no query for them on a second view.

Why a version rather than deleting the entry: a request that read the version, then the
database, and writes its answer after a concurrent write committed would put back the old
answer under a delete; under a version its answer is stored with the version it read, which the
write replaced, so nobody reads it. The version and the entry come in one round trip, the same
as the staff rule's answer for the user (``per_user_entries``): a student's page makes two round
trips to Redis, the session's and this one.

While Redis is down nothing is kept (``shared:`` keys never go to the per-process fallback,
``portal.cache``): each process would hold its own answers and miss the others' writes, so the
database answers every time. A write the cache missed during the outage is dropped from Redis when
it is reachable again (the fail-open cache's stale keys), and ``TIMEOUT`` bounds anything else
(a raw SQL update nobody announced).
"""

import pickle
import time

from django.core.cache import cache
from django.db import transaction
from django.utils.functional import LazyObject, empty

# Longest time an answer may outlive a change nobody announced (a raw SQL update).
TIMEOUT = 600
# Answers kept per user at most (oldest dropped first): a course page keeps three.
MAX_ANSWERS = 64
_IN_REQUEST = "_ringlet_user_answers"
_ENTRIES = "_ringlet_user_entries"
# In the entries read: this process's writes for the user when they were read.
_LOCAL_WRITES = "local-writes"
# The user's own row, kept with their answers (``remembered_user``).
_USER = ("user",)
_MISSING = object()


def _version_key(user_pk):
    return f"shared:accounts:answers-version:{user_pk}"


def _answers_key(user_pk):
    return f"shared:accounts:answers:{user_pk}"


# Writes this process made, per user: an answer a request holds from before one of them (the same
# request wrote, then reads again: an LTI launch enrolls, then shows the lesson) is read again.
# Bounded: past _MAX_LOCAL users it starts afresh under a new epoch, so no count repeats.
_local = {"epoch": 0, "writes": {}}
_MAX_LOCAL = 10_000


def _local_writes(user_pk):
    return (_local["epoch"], _local["writes"].get(user_pk, 0))


def _note_local_write(user_pk):
    writes = _local["writes"]
    if len(writes) >= _MAX_LOCAL:
        _local["epoch"] += 1
        _local["writes"] = writes = {}
    writes[user_pk] = writes.get(user_pk, 0) + 1


# ``keys(user_pk) -> [cache keys]`` read in the same round trip (``read_with_answers``).
_ALSO_READ = []


def read_with_answers(keys):
    """Read the keys ``keys(user_pk)`` names with each user's answers, in the same round trip; their
    values are in ``per_user_entries(user)``. For other per-user caches of this app (``staff_cache``)."""
    if keys not in _ALSO_READ:
        _ALSO_READ.append(keys)


def _read_entries(user_pk):
    writes = _local_writes(user_pk)
    also = [key for keys in _ALSO_READ for key in keys(user_pk)]
    found = cache.get_many([*also, _version_key(user_pk), _answers_key(user_pk)])
    found[_LOCAL_WRITES] = writes
    return found


def _unwrapped(user):
    # ``request.user`` is a lazy object whose own __dict__ is not the user's.
    if isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        return user._wrapped
    return user


def per_user_entries(user):
    """The cache entries kept per user, read in one round trip once per user object (which is per
    request): this module's version and answers, and the staff rule's (``staff_cache``)."""
    user = _unwrapped(user)
    found = user.__dict__.get(_ENTRIES)
    if found is None or found.get(_LOCAL_WRITES) != _local_writes(user.pk):
        user.__dict__.pop(_IN_REQUEST, None)
        found = user.__dict__[_ENTRIES] = _read_entries(user.pk)
    return found


def remembered_user(user_pk, load):
    """The user ``user_pk`` as kept with their answers, else ``load()`` (the database's answer,
    kept there when it is that user): for the authentication middleware (``accounts.middleware``),
    which still verifies the session against it. Whatever it returns carries the user's entries,
    so the request reads them no more (``per_user_entries``). Any save or deletion of the user
    replaces their version (``signal_handlers``)."""
    found = _read_entries(user_pk)
    answers = _Answers(user_pk, found)
    user = answers.kept(_USER)
    if user is _MISSING:
        user = load()
        if getattr(user, "pk", None) != user_pk:
            return user
        # Kept as it is now (pickled at once), before the request adds its own attributes.
        answers.get(_USER, lambda: user)
    user.__dict__[_ENTRIES] = found
    user.__dict__[_IN_REQUEST] = answers
    return user


class _Answers:
    """One user's answers for one request: read from the cache at most once."""

    def __init__(self, user_pk, found):
        self.user_pk = user_pk
        self.local_writes = found.get(_LOCAL_WRITES)
        self.version = found.get(_version_key(user_pk))
        if self.version is None:
            # First use (or Redis restarted): a new version; a concurrent writer's wins.
            version = time.time_ns()
            self.version = version if cache.add(_version_key(user_pk), version, None) else None
        stored = found.get(_answers_key(user_pk))
        fresh = isinstance(stored, tuple) and len(stored) == 2 and stored[0] == self.version
        # Each answer is kept pickled as it was computed, so what the request then does with its
        # own copy (the dashboard attaches each enrollment's course) is never stored back.
        self.answers = dict(stored[1]) if fresh and self.version is not None else {}
        self.values = {}

    def kept(self, key):
        """The answer kept under ``key`` (a copy of its own for this request), or ``_MISSING``."""
        value = self.values.get(key, _MISSING)
        if value is _MISSING and key in self.answers:
            value = self.values[key] = pickle.loads(self.answers[key])  # noqa: S301 (our own cache)
        return value

    def get(self, key, compute):
        value = self.kept(key)
        if value is _MISSING:
            value = self.values[key] = compute()
            if self.version is not None:
                self.answers[key] = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
                while len(self.answers) > MAX_ANSWERS:
                    self.answers.pop(next(iter(self.answers)))
                cache.set(_answers_key(self.user_pk), (self.version, self.answers), TIMEOUT)
        return value


def remember_for_user(user, key, compute):
    """``compute()``: an answer about ``user``'s own learning records (``key`` names the question
    and its arguments, hashable and picklable), from the cache while none of those records changed.

    The value must be picklable and must not be changed by the caller. Anonymous users and
    unsaved users are not cached. Whoever writes one of the rows an answer depends on calls
    ``forget_for_user``.
    """
    if not getattr(user, "is_authenticated", False) or user.pk is None:
        return compute()
    user = _unwrapped(user)
    answers = user.__dict__.get(_IN_REQUEST)
    if answers is None or answers.local_writes != _local_writes(user.pk):
        answers = user.__dict__[_IN_REQUEST] = _Answers(user.pk, per_user_entries(user))
    return answers.get(key, compute)


def forget_for_user(user):
    """Every answer kept about ``user`` (a user or a user id) is stale: replace their version once
    the current transaction commits (at once outside one). Call it from every path that writes a
    row such answers come from, bulk updates included."""
    user_pk = getattr(user, "pk", user)
    if user_pk is None:
        return
    if hasattr(user, "__dict__"):
        user = _unwrapped(user)
        user.__dict__.pop(_IN_REQUEST, None)
        user.__dict__.pop(_ENTRIES, None)

    # At once, for the writer's own transaction (and tests, which never commit), and again as
    # it commits: an answer read from the database in between is not the committed one.
    def replace():
        _note_local_write(user_pk)
        cache.set(_version_key(user_pk), time.time_ns(), None)

    replace()
    transaction.on_commit(replace)
