"""The edge tier (a real nginx, deploy/edge/) in front of the live server: what it keeps, what it
never keeps or serves, and purges on publish, unpublish, move and delete."""

import pytest
from django.test import Client

from sharing.services import create_link
from tests.factories import LessonPageFactory, UserFactory
from tests.page_fixtures import lessons_of

pytestmark = pytest.mark.django_db(transaction=True)

HIT, MISS, BYPASS = "HIT", "MISS", "BYPASS"


def state(response):
    return response.headers.get("X-Edge-Cache")


def session_cookie(user):
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def warm(edge, path):
    """Ask twice; the second answer comes from the edge's cache."""
    first = edge.get(path)
    second = edge.get(path)
    assert first.status_code == 200 and state(second) == HIT, (state(first), state(second))
    return second


def test_an_anonymous_page_is_kept_and_other_cookies_share_it(edge, course):
    first = edge.get(course.url)
    assert first.status_code == 200 and state(first) == MISS
    second = edge.get(course.url)
    assert state(second) == HIT and second.content == first.content
    # Replayed, not rendered again: the request id Django gave the first answer comes back.
    assert second.headers["X-Request-ID"] == first.headers["X-Request-ID"]
    # csrftoken and analytics cookies change nothing on an anonymous page: same entry, though
    # the page says Vary: Cookie.
    assert "Cookie" in first.headers["Vary"]
    with_cookies = edge.get(course.url, headers={"Cookie": "csrftoken=abc123; _ga=GA1.1.42"})
    assert state(with_cookies) == HIT and with_cookies.content == first.content


def test_a_logged_in_request_is_never_answered_from_the_edge_nor_stored(edge, course):
    anonymous = warm(edge, course.url)
    student = UserFactory(username="sam", first_name="Sam")
    cookie = {"Cookie": f"sessionid={session_cookie(student)}; csrftoken=abc"}
    for _ in range(2):
        mine = edge.get(course.url, headers=cookie)
        assert mine.status_code == 200 and state(mine) == BYPASS
        assert "Log out" in mine.text and "Log out" not in anonymous.text
        assert "private" in mine.headers["Cache-Control"]
        assert mine.headers["X-Request-ID"] != anonymous.headers["X-Request-ID"]
    # The logged-in answers were not kept: visitors still get the anonymous page.
    after = edge.get(course.url)
    assert state(after) == HIT and after.content == anonymous.content


def test_a_logged_in_answer_to_a_page_nobody_cached_yet_is_not_stored(edge, course):
    lesson = LessonPageFactory(parent=course, title="Taster", free_preview=True)
    student = UserFactory(username="sam")
    mine = edge.get(lesson.url, headers={"Cookie": f"sessionid={session_cookie(student)}"})
    assert mine.status_code == 200 and state(mine) == BYPASS and "Log out" in mine.text
    visitor = edge.get(lesson.url)
    assert state(visitor) == MISS and "Log out" not in visitor.text


def test_a_messages_cookie_bypasses_the_edge_too(edge, course):
    warm(edge, course.url)
    response = edge.get(course.url, headers={"Cookie": "messages=something-for-me"})
    assert state(response) == BYPASS


def test_share_links_and_previews_pass_through_uncached(edge, course, editor):
    draft = lessons_of(course)[1]
    draft.title = "Draft title nobody has seen"
    draft.save_revision()
    _, token = create_link(draft, editor)
    answers = [edge.get(f"/share/{token}/") for _ in range(2)]
    for answer in answers:
        assert answer.status_code == 200 and "Draft title nobody has seen" in answer.text
        assert "no-store" in answer.headers["Cache-Control"]
        assert state(answer) is None  # the cache was not even looked at
    assert answers[0].headers["X-Request-ID"] != answers[1].headers["X-Request-ID"]

    cookie = {"Cookie": f"sessionid={session_cookie(editor)}"}
    drafts = [edge.get(f"/admin/pages/{draft.pk}/view_draft/", headers=cookie) for _ in range(2)]
    for answer in drafts:
        assert answer.status_code == 200 and "Draft title nobody has seen" in answer.text
        assert state(answer) is None
    assert drafts[0].headers["X-Request-ID"] != drafts[1].headers["X-Request-ID"]
    # Without the editor's session: the admin's login, never a kept draft.
    assert edge.get(f"/admin/pages/{draft.pk}/view_draft/").status_code == 302
    assert "Draft title nobody has seen" not in edge.get(draft.url).text


def test_posts_pass_through_and_leave_the_cached_page_alone(edge, course):
    page = warm(edge, course.url)
    posted = edge.request("POST", course.url, data={"x": "1"})
    # POST is not a method the edge caches: Django answers it (CSRF refuses this one).
    assert posted.status_code == 403 and state(posted) is None
    assert posted.headers["X-Request-ID"] != page.headers["X-Request-ID"]
    assert state(edge.get(course.url)) == HIT


def test_publishing_purges_the_page_and_the_catalogue_at_the_edge(edge, course, catalogue):
    warm(edge, course.url)
    warm(edge, catalogue.url)
    course.title = "Wagtail in depth"
    course.save_revision().publish()
    for url in (course.url, catalogue.url):
        fresh = edge.get(url)
        assert state(fresh) == MISS and "Wagtail in depth" in fresh.text


def test_publishing_a_lesson_purges_its_course_outline(edge, course):
    warm(edge, course.url)
    lesson = lessons_of(course)[0]
    lesson.title = "A renamed first lesson"
    lesson.save_revision().publish()
    fresh = edge.get(course.url)
    assert state(fresh) == MISS and "A renamed first lesson" in fresh.text


def test_unpublishing_purges_the_page_at_the_edge(edge, course):
    lesson = LessonPageFactory(parent=course, title="Taster", free_preview=True)
    warm(edge, lesson.url)
    url = lesson.url
    lesson.unpublish()
    assert edge.get(url).status_code == 404


def test_moving_purges_the_old_and_new_urls_at_the_edge(edge, course):
    lesson = LessonPageFactory(parent=course, title="Taster", free_preview=True)
    module = course.get_children().first()
    old_url = lesson.url
    warm(edge, old_url)
    warm(edge, course.url)
    lesson.move(module, pos="last-child")
    lesson.refresh_from_db()
    assert lesson.url != old_url
    # Wagtail's redirect from the old address, not the page kept there.
    old = edge.get(old_url)
    assert old.status_code == 301 and old.headers["Location"].endswith(lesson.url)
    moved = edge.get(lesson.url)
    assert moved.status_code == 200 and state(moved) == MISS
    assert state(edge.get(course.url)) == MISS


def test_deleting_purges_the_page_at_the_edge(edge, course):
    lesson = LessonPageFactory(parent=course, title="Taster", free_preview=True)
    url = lesson.url
    warm(edge, url)
    lesson.delete()
    assert edge.get(url).status_code == 404


def test_static_files_are_served_by_nginx(edge, edge_static):
    response = edge.get("/static/css/ringlet.css")
    assert response.status_code == 200
    assert response.content == (edge_static / "css" / "ringlet.css").read_bytes()
    assert response.headers["Content-Type"].startswith("text/css")
    assert state(response) == "STATIC" and "X-Request-ID" not in response.headers
    assert edge.get("/static/css/missing.css").status_code == 404


def test_without_a_purge_backend_the_edge_keeps_the_old_page(edge, course, settings):
    """What the purges above are for: the edge alone keeps a page for its s-maxage."""
    settings.WAGTAILFRONTENDCACHE = {}
    warm(edge, course.url)
    course.title = "Wagtail in depth"
    course.save_revision().publish()
    stale = edge.get(course.url)
    assert state(stale) == HIT and "Wagtail in depth" not in stale.text


def test_an_anonymous_page_django_marks_private_is_not_kept(edge, catalogue):
    """Django's word decides on the cached paths too: a query string its page cache does not
    share (a tracking parameter here) comes back private, and the edge keeps none of it."""
    answers = [edge.get(f"{catalogue.url}?utm_source=mail") for _ in range(2)]
    for answer in answers:
        assert answer.status_code == 200 and "private" in answer.headers["Cache-Control"]
        assert state(answer) == MISS
    assert answers[0].headers["X-Request-ID"] != answers[1].headers["X-Request-ID"]


def test_an_expired_page_is_served_while_the_edge_revalidates_it_behind_the_scenes(edge, course, settings):
    import time

    settings.PAGE_CACHE_S_MAXAGE = 1
    kept = warm(edge, course.url)
    time.sleep(2.5)  # nginx counts in whole seconds
    # Past its s-maxage: the visitor still gets the kept copy at once, and nginx asks Django again
    # in the background instead of making this visitor wait for it.
    after = edge.get(course.url)
    assert state(after) in ("STALE", "UPDATING"), state(after)
    assert after.headers["X-Request-ID"] == kept.headers["X-Request-ID"]
    for _ in range(50):
        again = edge.get(course.url)
        if state(again) == HIT:
            break
        time.sleep(0.1)
    assert state(again) == HIT and again.content == kept.content
