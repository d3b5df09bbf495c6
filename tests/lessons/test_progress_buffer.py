"""Playback reports off the request path: kept in Redis with the lesson page's grant, flushed to
PostgreSQL exactly once, straight to PostgreSQL while Redis is down; completion rules unchanged."""

import re
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lessons import playback_buffer
from lessons.models import LessonCompletion, PlaybackPosition
from lessons.tasks import flush_playback
from portal.cache import FailOpenRedisCache
from tests.factories import UserFactory
from tests.page_fixtures import make_media, video_lesson
from tests.processes import RedisServer

URL = reverse("lessons:playback")
SCRIPT_TAG = re.compile(r"<script[^>]*lessons/progress[^>]*>")
ATTR = re.compile(r'data-([a-z-]+)="([^"]*)"')


@pytest.fixture
def media(db):
    return make_media("Lecture", duration=100)


@pytest.fixture
def lesson(course, media):
    return video_lesson(course, media, title="Watch this")


@pytest.fixture(autouse=True)
def empty_buffer():
    """The buffer's keys are this run's own (the cache's prefix); each test starts without any."""
    cache.delete_own_keys("playback:*")
    yield
    cache.delete_own_keys("playback:*")


def player(user, lesson):
    """A client that enforces CSRF, with what the lesson page gives its progress script."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    html = client.get(lesson.url).content.decode()
    client.script = dict(ATTR.findall(SCRIPT_TAG.search(html).group(0)))
    return client


def report(client, media, position, **extra):
    """What progress.js sends: a form, the CSRF token and the grant in it (as sendBeacon sends)."""
    form = {
        "csrfmiddlewaretoken": client.script["csrf"],
        "lesson": client.script["lesson"],
        "media": media.pk,
        "position": position,
        "duration": 100,
        "token": client.script["token"],
        **extra,
    }
    return client.post(URL, urlencode(form), content_type="application/x-www-form-urlencoded")


def test_the_lesson_page_gives_the_player_a_grant_and_the_report_cadence(enrolled, lesson, settings):
    client = player(enrolled, lesson)
    assert client.script["token"]
    assert client.script["interval"] == str(settings.PLAYBACK_REPORT_SECONDS * 1000)


def test_a_report_with_the_grant_is_kept_in_redis_without_a_query_and_the_page_resumes_there(
    enrolled, lesson, media
):
    client = player(enrolled, lesson)
    with CaptureQueriesContext(connection) as queries:
        response = report(client, media, 42.5)
    assert response.status_code == 200, response.content
    assert response.json() == {
        "position": 42.5,
        "furthest": 42.5,
        "watched": False,
        "lesson_completed": False,
    }
    assert len(queries) == 0, [q["sql"] for q in queries]
    assert not PlaybackPosition.objects.exists()  # not written yet: waiting in Redis
    # Reloading the lesson before the flush resumes at the buffered position.
    html = client.get(lesson.url).content.decode()
    assert f'<script id="playback-positions" type="application/json">{{"{media.pk}": 42.5}}</script>' in html


def test_the_flush_writes_each_entry_exactly_once_and_keeps_the_furthest_point(
    enrolled, course, lesson, media
):
    other = UserFactory(username="second")
    from courses.services import enroll

    enroll(other, course)
    first, second = player(enrolled, lesson), player(other, lesson)
    report(first, media, 30)
    report(first, media, 12)  # a seek back: the position moves, the furthest point stays
    report(second, media, 7)

    assert flush_playback.apply().get() == 2
    assert flush_playback.apply().get() == 0  # nothing written twice
    rows = {row.user_id: row for row in PlaybackPosition.objects.all()}
    assert (rows[enrolled.pk].position, rows[enrolled.pk].furthest, rows[enrolled.pk].lesson_id) == (
        12,
        30,
        lesson.pk,
    )
    assert (rows[other.pk].position, rows[other.pk].furthest) == (7, 7)


def test_an_entry_claimed_by_one_flusher_is_not_written_by_another_and_later_reports_are_not_lost(
    enrolled, lesson, media, monkeypatch
):
    client = player(enrolled, lesson)
    report(client, media, 20)
    claimed = playback_buffer._claim(500)  # a flusher took it and is still writing
    assert [row[0] for row in claimed] == [f"{enrolled.pk}:{media.pk}".encode()]
    assert playback_buffer.flush() == 0  # another flusher finds nothing to do
    report(client, media, 25)  # a report arrives meanwhile: dirty again
    assert playback_buffer.flush() == 1
    assert PlaybackPosition.objects.get(user=enrolled).position == 25

    report(client, media, 30)
    playback_buffer._claim(500)  # this flusher dies before writing or releasing its claim
    assert playback_buffer.flush() == 0
    # After RECLAIM_AFTER the claim is taken back and written once.
    monkeypatch.setattr(playback_buffer, "RECLAIM_AFTER", -1)
    assert playback_buffer.flush() == 1
    row = PlaybackPosition.objects.get(user=enrolled)
    assert (row.position, row.furthest) == (30, 30)
    assert playback_buffer.flush() == 0


def test_flushing_is_bounded_per_batch(enrolled, course, media, lesson):
    from courses.services import enroll

    students = [UserFactory(username=f"s{i}") for i in range(5)]
    for user in students:
        enroll(user, course)
        report(player(user, lesson), media, 3)
    assert playback_buffer.flush(batch=2, max_batches=2) == 4
    assert PlaybackPosition.objects.count() == 4
    assert playback_buffer.flush(batch=2, max_batches=2) == 1


def test_reaching_90_percent_completes_the_lesson_at_once_as_before(enrolled, lesson, media):
    client = player(enrolled, lesson)
    assert report(client, media, 50).json()["lesson_completed"] is False
    response = report(client, media, 91)
    assert response.json()["lesson_completed"] is True
    assert LessonCompletion.objects.filter(user=enrolled, lesson=lesson).exists()
    # Once watched, later reports stay in Redis.
    with CaptureQueriesContext(connection) as queries:
        assert report(client, media, 95).json()["watched"] is True
    assert len(queries) == 0


def test_events_are_saved_at_once_for_the_learning_records(enrolled, lesson, media):
    client = player(enrolled, lesson)
    assert report(client, media, 33, event="pause").status_code == 200
    assert PlaybackPosition.objects.get(user=enrolled).position == 33


def test_a_grant_for_someone_else_or_tampered_is_not_trusted(enrolled, other_student, course, lesson, media):
    from courses.services import enroll

    enroll(other_student, course)
    client, thief = player(enrolled, lesson), player(other_student, lesson)
    stolen = client.script["token"]
    thief.script["token"] = stolen
    # Another student's grant does not let a report into the buffer: it is saved the slow way,
    # as the session's own user's, never as the grant's.
    assert report(thief, media, 10).status_code == 200
    assert PlaybackPosition.objects.get(user=other_student).position == 10
    assert not PlaybackPosition.objects.filter(user=enrolled).exists()
    client.script["token"] = stolen[:-2] + ("AA" if not stolen.endswith("AA") else "BB")
    assert report(client, media, 11).status_code == 200  # tampered: the slow way too
    assert PlaybackPosition.objects.get(user=enrolled).position == 11
    assert not playback_buffer.buffered_positions(enrolled.pk, [media.pk])
    assert not playback_buffer.buffered_positions(other_student.pk, [media.pk])


def test_a_page_that_may_not_be_tracked_gives_no_grant(other_student, course, lesson, media):
    """Not enrolled in a course with a free-preview lesson: the page shows, without a grant."""
    lesson.free_preview = True
    lesson.save_revision().publish()
    client = Client()
    client.force_login(other_student)
    html = client.get(lesson.url).content.decode()
    assert "data-token" not in html or 'data-token=""' in html


def test_after_logging_out_the_grant_saves_nothing(enrolled, lesson, media):
    client = player(enrolled, lesson)
    cookies = {name: morsel.value for name, morsel in client.cookies.items()}
    client.logout()
    for name, value in cookies.items():  # the old session's cookie, sent again
        client.cookies[name] = value
    response = report(client, media, 10)
    assert response.status_code == 403
    assert not playback_buffer.buffered_positions(enrolled.pk, [media.pk])


def test_a_report_without_the_csrf_token_is_refused(enrolled, lesson, media):
    client = player(enrolled, lesson)
    client.script["csrf"] = ""
    assert report(client, media, 10).status_code == 403
    assert not playback_buffer.buffered_positions(enrolled.pk, [media.pk])


def test_a_malformed_form_report_gets_a_400_with_a_message(enrolled, lesson, media):
    client = player(enrolled, lesson)
    response = report(client, media, "soon")
    assert response.status_code == 400
    assert response.json() == {"error": "“position” must be a number of seconds."}


@pytest.fixture
def own_redis(tmp_path, settings):
    """The default cache on a Redis of the test's own (with an append-only file: a restart brings
    its data back, stale entries included)."""
    server = RedisServer(tmp_path / "redis")
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache.FailOpenRedisCache",
            "LOCATION": f"{server.url}/0",
            "KEY_PREFIX": f"buffer-{server.port}",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        }
    }
    yield server
    server.stop()


def test_progress_survives_a_redis_outage(enrolled, lesson, media, own_redis, monkeypatch):
    monkeypatch.setattr(FailOpenRedisCache, "retry_after", 0.1)
    client = player(enrolled, lesson)
    assert report(client, media, 20).status_code == 200  # kept in Redis
    own_redis.stop()

    # With Redis down the report goes straight to PostgreSQL, and the flush waits.
    response = report(client, media, 40)
    assert response.status_code == 200, response.content
    assert PlaybackPosition.objects.get(user=enrolled).position == 40
    assert playback_buffer.flush() is None
    assert client.get(lesson.url).status_code == 200

    # Redis comes back with the older buffered report: flushing it never moves the student back.
    own_redis.start()
    import time

    time.sleep(0.2)  # past the circuit's pause
    assert playback_buffer.flush() == 1
    row = PlaybackPosition.objects.get(user=enrolled)
    assert (row.position, row.furthest) == (40, 40)
    html = client.get(lesson.url).content.decode()
    assert f'{{"{media.pk}": 40.0}}' in html


def test_a_report_from_the_french_lesson_is_kept_under_the_english_lesson(
    enrolled, lesson, media, french, home
):
    """Buffered positions follow the course across translations, as saved ones do (issue 25)."""
    from tests.language_fixtures import translate_tree

    lesson_fr = translate_tree(home, french)[lesson.pk]
    client = player(enrolled, lesson_fr)
    assert client.script["lesson"] == str(lesson_fr.pk)
    assert report(client, media, 33).status_code == 200

    assert flush_playback.apply().get() == 1
    (row,) = PlaybackPosition.objects.filter(user=enrolled)
    assert (row.lesson_id, row.position) == (lesson.pk, 33)


def test_the_flush_task_writes_nothing_and_does_not_fail_without_a_redis_cache(settings):
    """`make run`'s embedded defaults keep the cache in memory: reports go to the database, and
    beat's flush has nothing to write (it used to fail on the missing Redis client)."""
    # Changing CACHES resets Django's cache handlers (and the fixture puts them back after).
    locmem = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    settings.CACHES = {**settings.CACHES, "default": locmem}
    assert not playback_buffer.buffering()
    assert flush_playback() == 0
