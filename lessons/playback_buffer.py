"""Playback positions off the request path: kept in Redis by the player's reports, flushed to
PostgreSQL in batches by a task (README, "Students": progress).

**Grants.** The lesson page, which has already decided that its reader may read the lesson and is
enrolled, hands the progress script a signed grant (``issue_grant``): the user, the lesson, its
course, and the probed length of each media item in it. A report that carries a valid grant for
the session's own user is saved without asking the database anything: one Redis round trip
(``HEARTBEAT``, a Lua script) keeps the position and the furthest point, and marks the entry to
flush. The session itself is read as on every request (``portal.logging`` reads its user id), so a
logged-out session's grant is worth nothing. A grant lasts ``PLAYBACK_GRANT_SECONDS``: that is how
long a student whose enrollment ended may still move their own positions (and nothing else).

**What still goes to the database at once** (``lessons.views.playback``'s full path, unchanged):
a report with no grant or a bad one, one with an event (play, pause, ended: learning records need
the saved position), the report that takes the furthest point past 90% of a probed item not yet
watched (completion rules are ``lessons/playback.py``'s, untouched), and every report while Redis
is down or the session is not in the cache.

**Flushing** (``flush``, the beat task ``lessons.tasks.flush_playback``): entries are claimed from
the dirty set atomically (``CLAIM``: each goes to one flusher only, and a report arriving while it
is written marks it dirty again), written with one ``INSERT … ON CONFLICT`` per batch, then
released. A flusher that dies between the two leaves its claim behind; after ``RECLAIM_AFTER``
seconds the next one takes it back. Writing is idempotent: the position is the entry's latest,
applied only if the row was not updated later (``updated_at``: a report saved straight to the
database during a Redis outage is never overwritten by an older buffered one), and the furthest
point only grows. Batches are bounded (``BATCH`` entries, ``MAX_BATCHES`` per run).

Redis holds a buffered position alone for at most one flush interval (``PLAYBACK_FLUSH_SECONDS``):
a Redis lost with its data loses that much of the students' positions, never a completion.
"""

import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import connection, transaction
from redis.commands.core import Script

from courses.services import touch_enrollments

from .models import PlaybackPosition

_SALT = "lessons.playback_buffer.grant"
# Claimed entries not released after this many seconds are taken back by the next flush.
RECLAIM_AFTER = 120
BATCH = 500
MAX_BATCHES = 20
# An entry not reported for this long is dropped from Redis (it was flushed long before).
ENTRY_SECONDS = 24 * 3600

# KEYS: entry, dirty set. ARGV: position, duration, lesson, course, time, ttl, entry id.
# Returns {furthest, watched}: strings, so that Lua does not truncate them to integers.
HEARTBEAT = """
local furthest = tonumber(redis.call('HGET', KEYS[1], 'f') or '0')
local position = tonumber(ARGV[1])
if position > furthest then furthest = position end
redis.call('HSET', KEYS[1], 'p', ARGV[1], 'd', ARGV[2], 'l', ARGV[3], 'c', ARGV[4], 't', ARGV[5],
           'f', tostring(furthest))
redis.call('EXPIRE', KEYS[1], ARGV[6])
redis.call('SADD', KEYS[2], ARGV[7])
return {tostring(furthest), redis.call('HGET', KEYS[1], 'w') or '0'}
"""

# KEYS: dirty set, claimed zset. ARGV: count, now, reclaim before, entry key prefix.
# Takes back stale claims, then moves up to count ids from dirty to claimed, returning for each
# {id, position, duration, lesson, course, time, furthest} (entries expired meanwhile skipped).
CLAIM = """
local stale = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[3])
for _, id in ipairs(stale) do
  redis.call('ZREM', KEYS[2], id)
  redis.call('SADD', KEYS[1], id)
end
local ids = redis.call('SPOP', KEYS[1], tonumber(ARGV[1]))
local out = {}
for _, id in ipairs(ids) do
  local v = redis.call('HMGET', ARGV[4] .. id, 'p', 'd', 'l', 'c', 't', 'f')
  if v[1] then
    redis.call('ZADD', KEYS[2], ARGV[2], id)
    table.insert(out, {id, v[1], v[2], v[3], v[4], v[5], v[6]})
  end
end
return out
"""
_scripts = {}


def _run(source, client, keys, args):
    """Run a Lua script by its SHA (EVALSHA, loading it once), registered once per client."""
    known = _scripts.get(source)
    if known is None or known[0] is not client:
        known = _scripts[source] = (client, Script(client, source))
    return known[1](keys=keys, args=args, client=client)


def _key(name):
    return cache.make_key(f"playback:{name}")


def _entry_prefix():
    return _key("entry:")


def buffering():
    """Whether the default cache can buffer (a Redis one, with ``with_client``)."""
    return hasattr(cache, "with_client")


# --- grants -----------------------------------------------------------------------------
def issue_grant(user, lesson, course_id, durations, stored_lesson_id=None):
    """The signed grant the lesson page gives its progress script (``durations``: ``{media id:
    probed seconds or 0}``). ``stored_lesson_id``: the lesson the positions are kept under, when
    it is not ``lesson`` (a translation's positions are its source lesson's)."""
    payload = {"u": user.pk, "l": lesson.pk, "c": course_id or 0, "m": durations}
    if stored_lesson_id is not None and stored_lesson_id != lesson.pk:
        payload["w"] = stored_lesson_id
    return signing.dumps(payload, salt=_SALT, compress=False)


def read_grant(token, user_id, lesson_id):
    """The grant in ``token`` if it is valid, unexpired and for ``user_id`` and ``lesson_id``; else None."""
    if not token or user_id is None:
        return None
    try:
        grant = signing.loads(token, salt=_SALT, max_age=settings.PLAYBACK_GRANT_SECONDS)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(grant, dict) or grant.get("u") != user_id or grant.get("l") != lesson_id:
        return None
    return grant


# --- reports ----------------------------------------------------------------------------
def buffer_report(user_id, grant, media_id, position, duration):
    """Keep a report in Redis (one round trip). Returns ``(furthest, watched_flag)``, or None when
    Redis is down (the caller saves it to the database instead)."""
    entry = f"{user_id}:{media_id}"
    lesson_id = grant.get("w", grant["l"])
    args = [repr(position), repr(duration), lesson_id, grant["c"], repr(time.time()), ENTRY_SECONDS, entry]

    def work(client):
        return _run(HEARTBEAT, client, [_entry_prefix() + entry, _key("dirty")], args)

    result = cache.with_client(work) if buffering() else None
    if result is None:
        return None
    furthest, watched = result
    return float(furthest), watched in (b"1", "1")


def mark_watched(user_id, media_id):
    """Note in the buffer that this item was watched (saved), so later reports skip the check."""
    key = _entry_prefix() + f"{user_id}:{media_id}"
    if buffering():
        cache.with_client(lambda client: client.hset(key, "w", "1"))


def buffered_positions(user_id, media_ids):
    """``{media id: (position, time)}`` still in Redis for ``user_id`` (one round trip; {} when down)."""
    media_ids = list(media_ids)
    if not media_ids or not buffering():
        return {}
    prefix = _entry_prefix()

    def work(client):
        pipe = client.pipeline(transaction=False)
        for media_id in media_ids:
            pipe.hmget(f"{prefix}{user_id}:{media_id}", "p", "t")
        return pipe.execute()

    rows = cache.with_client(work, unavailable=[]) or []
    return {
        media_id: (float(position), float(at))
        for media_id, (position, at) in zip(media_ids, rows, strict=False)
        if position is not None and at is not None
    }


# --- flushing ---------------------------------------------------------------------------
def _claim(count):
    now = time.time()

    def work(client):
        return _run(
            CLAIM,
            client,
            [_key("dirty"), _key("claimed")],
            [count, repr(now), repr(now - RECLAIM_AFTER), _entry_prefix()],
        )

    return cache.with_client(work, unavailable=None)


def _release(ids):
    if ids:
        cache.with_client(lambda client: client.zrem(_key("claimed"), *ids))


UPSERT = """
INSERT INTO {table} (user_id, media_id, lesson_id, position, duration, furthest, updated_at)
SELECT v.user_id, v.media_id, l.page_ptr_id, v.position, v.duration, v.furthest, v.at
FROM (VALUES {values}) AS v (user_id, media_id, lesson_id, position, duration, furthest, at)
JOIN {users} u ON u.id = v.user_id
JOIN {media} m ON m.id = v.media_id
LEFT JOIN {lessons} l ON l.page_ptr_id = v.lesson_id
ON CONFLICT (user_id, media_id) DO UPDATE SET
  position = CASE WHEN {table}.updated_at <= EXCLUDED.updated_at THEN EXCLUDED.position
                  ELSE {table}.position END,
  duration = CASE WHEN {table}.updated_at <= EXCLUDED.updated_at THEN EXCLUDED.duration
                  ELSE {table}.duration END,
  lesson_id = CASE WHEN {table}.updated_at <= EXCLUDED.updated_at
                   THEN COALESCE(EXCLUDED.lesson_id, {table}.lesson_id) ELSE {table}.lesson_id END,
  furthest = GREATEST({table}.furthest, EXCLUDED.furthest),
  updated_at = GREATEST({table}.updated_at, EXCLUDED.updated_at)
"""


def _write(rows):
    """Upsert ``rows`` (user, media, lesson, position, duration, furthest, time) in one statement."""
    from datetime import UTC, datetime

    from django.contrib.auth import get_user_model
    from wagtailmedia.models import get_media_model

    from .models import LessonPage

    values = ", ".join(
        ["(%s::bigint, %s::bigint, %s::bigint, %s::float8, %s::float8, %s::float8, %s::timestamptz)"]
        * len(rows)
    )
    params = []
    for user_id, media_id, lesson_id, position, duration, furthest, at in rows:
        params += [
            user_id,
            media_id,
            lesson_id,
            position,
            duration,
            furthest,
            datetime.fromtimestamp(at, UTC),
        ]
    sql = UPSERT.format(
        table=PlaybackPosition._meta.db_table,
        users=get_user_model()._meta.db_table,
        media=get_media_model()._meta.db_table,
        lessons=LessonPage._meta.db_table,
        values=values,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def flush(batch=BATCH, max_batches=MAX_BATCHES):
    """Write buffered positions to PostgreSQL; returns how many entries were written (claimed
    entries whose user or media item is gone are dropped). None when Redis is down.

    Without a Redis cache (``make run``'s embedded defaults) nothing is ever buffered: reports
    went to the database, and there is nothing to write (0)."""
    if not buffering():
        return 0
    written = 0
    for _ in range(max_batches):
        claimed = _claim(batch)
        if claimed is None:
            return None if written == 0 else written
        if not claimed:
            break
        rows, ids, touched = [], [], {}
        for entry_id, position, duration, lesson, course, at, furthest in claimed:
            entry_id = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
            user_id, media_id = (int(part) for part in entry_id.split(":"))
            at = float(at)
            rows.append(
                (user_id, media_id, int(lesson), float(position), float(duration), float(furthest), at)
            )
            ids.append(entry_id)
            if int(course):
                key = (user_id, int(course))
                touched[key] = max(touched.get(key, 0.0), at)
        with transaction.atomic():
            _write(rows)
            touch_enrollments(touched)
        _release(ids)
        written += len(rows)
        if len(claimed) < batch:
            break
    return written
