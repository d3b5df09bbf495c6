"""The anonymous page cache: what it holds, what drops it, who never gets it, and Redis failing."""

import os

import pytest
from django.core.cache import cache
from django.test import Client

from tests.factories import CourseIndexPageFactory, CoursePageFactory, LessonPageFactory, UserFactory
from tests.page_fixtures import make_media, video_lesson
from tests.processes import Process, free_port, wait_for

HIT = "hit"


def get(client, url, **params):
    response = client.get(url, params)
    return response, response.get("X-Page-Cache")


def test_an_anonymous_course_page_is_kept_and_served_with_no_queries(
    client, course, django_assert_num_queries
):
    first, state = get(client, course.url)
    assert first.status_code == 200 and state == "miss"
    with django_assert_num_queries(0):
        second, state = get(client, course.url)
    assert state == HIT and second.content == first.content
    assert "s-maxage=" in second["Cache-Control"] and "public" in second["Cache-Control"]
    assert second["ETag"] == first["ETag"]


def test_a_hit_carries_the_same_headers_as_the_page_it_was_kept_from(client, course):
    first, _ = get(client, course.url)
    second, state = get(client, course.url)
    assert state == HIT
    per_response = {"x-page-cache", "x-request-id", "date"}
    kept = {name.lower(): value for name, value in first.items() if name.lower() not in per_response}
    served = {name.lower(): value for name, value in second.items() if name.lower() not in per_response}
    assert served == kept
    assert second["Content-Type"].startswith("text/html") and second.has_header("content-language")


def test_conditional_requests_get_304(client, course):
    first, _ = get(client, course.url)
    again = client.get(course.url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    since = client.get(course.url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304


def test_the_catalogue_home_and_free_previews_are_kept_with_their_query_strings(client, course, catalogue):
    preview = LessonPageFactory(parent=course, title="Taster", free_preview=True)
    for url, params in ((catalogue.url, {}), (catalogue.url, {"q": "wagtail"}), ("/", {}), (preview.url, {})):
        assert get(client, url, **params)[1] == "miss"
        assert get(client, url, **params)[1] == HIT
    # Other parameters (tracking, share tokens, anything) are never cached: the variants stay bounded.
    assert get(client, catalogue.url, utm_source="mail")[1] is None
    assert get(client, catalogue.url, q="x" * 300)[1] is None


def test_cached_pages_carry_no_csrf_token_or_session_data(client, course):
    response, _ = get(client, course.url)
    hit, state = get(client, course.url)
    assert state == HIT
    for page in (response, hit):
        html = page.content.decode()
        assert "csrfmiddlewaretoken" not in html and "csrftoken" not in html
        assert not page.cookies
        assert "Log out" not in html and "Enroll in this course" in html


def test_a_logged_in_user_never_gets_or_fills_a_cached_page(client, course):
    student = UserFactory(username="kept-out")
    client.force_login(student)
    response, state = get(client, course.url)
    assert state is None and "private" in response["Cache-Control"]
    assert "Log out" in response.content.decode()
    # The logged-in view did not fill the cache: the next visitor renders afresh.
    assert get(Client(), course.url)[1] == "miss"
    # And a cached page is never served to the logged-in user.
    assert get(Client(), course.url)[1] == HIT
    response, state = get(client, course.url)
    assert state is None and "Log out" in response.content.decode()


def test_a_preview_is_never_cached(client, course):
    course.title = "Draft title nobody may see"
    course.save_revision()
    # Wagtail renders previews through serve_preview, not the page-serving view.
    preview = course.get_latest_revision_as_object().make_preview_request()
    assert preview.status_code == 200 and "Draft title nobody may see" in preview.content.decode()
    for _ in range(2):
        assert "Draft title nobody may see" not in get(client, course.url)[0].content.decode()


def test_a_share_link_style_request_is_never_cached(client, course):
    """Share and preview links carry a token in the query string or a session; neither is cached."""
    assert get(client, course.url, share="secret-token")[1] is None
    assert get(client, course.url, share="secret-token")[1] is None


def test_publishing_drops_the_page_and_the_pages_that_list_it(client, course, catalogue):
    for url in (course.url, catalogue.url):
        get(client, url)
    course.title = "Renamed course"
    course.save_revision().publish()
    assert "Renamed course" in get(client, course.url)[0].content.decode()
    assert "Renamed course" in get(client, catalogue.url)[0].content.decode()


def test_unpublishing_drops_the_page(client, course, catalogue):
    assert get(client, course.url)[0].status_code == 200
    get(client, catalogue.url)
    course.unpublish()
    assert get(client, course.url)[0].status_code == 404
    assert course.title not in get(client, catalogue.url)[0].content.decode()


def test_moving_drops_the_pages_of_both_places(client, course, home):
    preview = LessonPageFactory(parent=course, title="Moving taster", free_preview=True)
    target = CoursePageFactory(parent=CourseIndexPageFactory(parent=home, slug="second"), title="Target")
    old_url = preview.url
    for url in (course.url, old_url, target.url):
        get(client, url)
    preview.move(target, pos="last-child")
    assert "Moving taster" not in get(client, course.url)[0].content.decode()
    assert "Moving taster" in get(client, target.url)[0].content.decode()
    assert get(client, old_url)[0].status_code == 301  # Wagtail's redirect to the new place


def test_deleting_drops_the_page_and_the_neighbours_links(client, course):
    preview = LessonPageFactory(parent=course, title="Doomed taster", free_preview=True)
    url = preview.url
    assert get(client, url)[0].status_code == 200
    assert "Doomed taster" in get(client, course.url)[0].content.decode()
    preview.delete()
    assert get(client, url)[0].status_code == 404
    assert "Doomed taster" not in get(client, course.url)[0].content.decode()


def test_a_page_whose_media_is_encoding_is_cached_once_the_media_is_ready(client, course):
    media = make_media(title="Encoding clip")
    lesson = video_lesson(course, media, title="Watch when ready", free_preview=True)
    first, state = get(client, lesson.url)
    assert first.status_code == 200 and state is None  # still encoding: not kept
    # As the media task does: a queryset update, no signal.
    type(media).objects.filter(pk=media.pk).update(status="ready", version="v1")
    from media_library.models import Rendition

    Rendition.objects.create(media=media, version="v1", kind=Rendition.Kind.HLS, path="hls/master.m3u8")
    ready, state = get(client, lesson.url)
    assert state == "miss" and "/v1/hls/master.m3u8" in ready.content.decode()
    assert get(client, lesson.url)[1] == HIT


def test_a_new_media_version_drops_the_pages_that_play_it(client, course):
    from media_library.models import Rendition

    media = make_media(title="Versioned clip")
    type(media).objects.filter(pk=media.pk).update(status="ready", version="v1")
    media.refresh_from_db()
    Rendition.objects.create(media=media, version="v1", kind=Rendition.Kind.HLS, path="hls/master.m3u8")
    lesson = video_lesson(course, media, title="Versioned lesson", free_preview=True)
    assert "/v1/hls/" in get(client, lesson.url)[0].content.decode()
    assert get(client, lesson.url)[1] == HIT
    # The switch the media task makes: new renditions, the old ones deleted, the version moved.
    Rendition.objects.create(media=media, version="v2", kind=Rendition.Kind.HLS, path="hls/master.m3u8")
    media.renditions.exclude(version="v2").delete()
    type(media).objects.filter(pk=media.pk).update(version="v2")
    response, state = get(client, lesson.url)
    assert state == "miss" and "/v2/hls/" in response.content.decode()


def start_redis(tmp_path):
    """A Redis server of the test's own (never the shared one); the test stops it."""
    port = free_port()
    server = Process(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        env=os.environ.copy(),
        log_path=tmp_path / "redis.log",
    )
    wait_for(lambda: _answers(port), timeout=20, message="the test's Redis to answer")
    return server, f"redis://127.0.0.1:{port}/0"


def _answers(port):
    import redis

    try:
        return redis.Redis(host="127.0.0.1", port=port, socket_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.fixture
def own_redis(settings, tmp_path):
    """The default cache on the test's own Redis, failing open the simplest way (django-redis
    with IGNORE_EXCEPTIONS: while Redis is gone every read misses and every write is lost)."""
    server, url = start_redis(tmp_path)
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        },
    }
    yield server
    server.stop()


@pytest.fixture
def fail_open_redis(settings, tmp_path):
    """The default cache on the test's own Redis with production's backend (portal/cache.py)."""
    server, url = start_redis(tmp_path)
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "portal.cache.FailOpenRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "page-cache-outage",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        },
    }
    yield server
    server.stop()


def test_pages_are_served_when_redis_stops(client, course, catalogue, own_redis):
    urls = (course.url, catalogue.url, "/")
    assert get(client, course.url)[1] == "miss"
    assert get(client, course.url)[1] == HIT
    own_redis.stop()
    for url in urls:
        response, state = get(client, url)
        assert response.status_code == 200 and state is None


def test_the_page_cache_and_routing_call_the_fail_open_cache_plainly_and_route_when_redis_stops(
    rf, course, fail_open_redis
):
    """The backend is the one place that fails open: the callers have no try/except of their own."""
    from pagetree.services import content_version
    from portal import page_cache, routing

    request = rf.get(course.url)
    assert content_version() is not None
    fail_open_redis.stop()
    assert cache.get("anything") is None  # answered by the per-process fallback, not raised
    assert content_version() is not None
    assert page_cache.cached_response(request) is None
    routing.route(request, course.url)  # nothing cached: Wagtail's routing runs, from the database
    assert request._wagtail_route_for_request.page.specific == course
    assert routing.site_root_paths(request)[0].root_path == "/home/"


def test_a_page_remembered_by_the_process_lives_no_longer_than_page_cache_seconds(client, course, settings):
    """The process keeps the pages it served (only the version then comes from Redis); such a copy
    counts as long as the one in Redis would, PAGE_CACHE_SECONDS, and not under a new version."""
    import time

    from pagetree.services import bump_content_version

    settings.PAGE_CACHE_SECONDS = 2
    assert get(client, course.url)[1] == "miss"
    assert get(client, course.url)[1] == HIT
    assert get(client, course.url)[1] == HIT  # from the process this time
    time.sleep(2.5)
    assert get(client, course.url)[1] == "miss"
    assert get(client, course.url)[1] == HIT
    bump_content_version()  # as any publish does
    assert get(client, course.url)[1] == "miss"
