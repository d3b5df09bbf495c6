"""Share links to drafts: create, view, expire, revoke, wrong tokens, other pages, deleted pages."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from sharing.models import ShareLink
from sharing.services import create_link, hash_token, revoke
from tests.page_fixtures import add_quiz, lessons_of, quiz_value
from tests.user_fixtures import make_instructor, teach


@pytest.fixture
def draft(course):
    """The course's second lesson (enrollment-gated) with an unpublished draft on top."""
    lesson = lessons_of(course)[1]
    lesson.title = "Draft title nobody has seen"
    lesson.save_revision()
    return lesson


def open_share(url):
    return Client().get(url)


def create_through_admin(client, user, page, days=None):
    client.force_login(user)
    data = {"days": days} if days else {"days": 7}
    response = client.post(f"/admin/share-links/page/{page.pk}/", data)
    assert response.status_code == 200
    return re.search(r'value="(http://testserver/share/[^"]+/)"', response.content.decode()).group(1)


def test_an_editor_creates_a_link_and_anyone_reads_the_latest_draft(client, editor, draft):
    url = create_through_admin(client, editor, draft)
    link = ShareLink.objects.get()
    assert link.created_by == editor and link.page_id == draft.pk
    assert timedelta(days=6, hours=23) < link.expires_at - link.created_at <= timedelta(days=7)
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert len(token) >= 40 and link.token_hash == hash_token(token) and token not in link.token_hash

    response = open_share(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Draft preview" in html and "Draft title nobody has seen" in html
    assert response["X-Robots-Tag"].startswith("noindex")
    cache_control = response["Cache-Control"]
    assert "private" in cache_control and "no-store" in cache_control
    # The live lesson is still the published one, and still gated.
    # (a visitor gets the locked-lesson page, a 403 that explains it, never the draft)
    assert open_share(draft.url).status_code == 403


def test_the_link_shows_edits_made_after_it_was_created(editor, draft):
    _, token = create_link(draft, editor)
    draft.title = "Edited again"
    draft.save_revision()
    assert "Edited again" in open_share(f"/share/{token}/").content.decode()


def test_links_are_listed_on_the_edit_view_and_in_the_admin_listing(client, editor, draft):
    create_link(draft, editor)
    client.force_login(editor)
    edit = client.get(f"/admin/pages/{draft.pk}/edit/").content.decode()
    assert "Share links" in edit and "Active" in edit and str(editor) in edit
    listing = client.get("/admin/share-links/").content.decode()
    assert draft.title in listing or "Draft title nobody has seen" in listing
    assert "Revoke" in listing


def test_an_expired_link_says_so_with_410(editor, draft):
    link, token = create_link(draft, editor, days=7)
    with time_machine.travel(link.expires_at + timedelta(seconds=1)):
        response = open_share(f"/share/{token}/")
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert "Draft title nobody has seen" not in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    with time_machine.travel(link.expires_at - timedelta(minutes=1)):
        assert open_share(f"/share/{token}/").status_code == 200


def test_a_revoked_link_says_so_with_410(client, editor, draft):
    link, token = create_link(draft, editor)
    client.force_login(editor)
    assert client.post(f"/admin/share-links/{link.pk}/revoke/").status_code == 302
    response = open_share(f"/share/{token}/")
    assert response.status_code == 410 and "revoked" in response.content.decode()


def test_a_wrong_token_gets_a_clear_404(editor, draft):
    create_link(draft, editor)
    for token in ("nope", "x" * 43, "a" * 300):
        response = open_share(f"/share/{token}/")
        assert response.status_code == 404
        assert "not valid" in response.content.decode()


def test_a_token_opens_its_own_page_only(editor, draft, course):
    _, token = create_link(draft, editor)
    other = lessons_of(course)[2]
    assert open_share(f"/share/{token}/{other.slug}/").status_code == 404
    assert open_share(f"{other.url}?token={token}").status_code == 403  # still gated (the locked page)


def test_a_link_to_a_page_later_deleted_says_so_with_410(editor, draft):
    _, token = create_link(draft, editor)
    draft.delete()
    response = open_share(f"/share/{token}/")
    assert response.status_code == 410 and "deleted" in response.content.decode()


def test_the_course_instructor_may_share_but_another_instructor_may_not(client, course, catalogue):
    user_a, teacher_a = make_instructor("alice")
    user_b, _ = make_instructor("bob")
    teach(course, teacher_a)
    lesson = lessons_of(course)[0]
    create_through_admin(client, user_a, lesson)
    client.force_login(user_b)
    refused = client.post(f"/admin/share-links/page/{lesson.pk}/", {"days": 7})
    assert refused.status_code in (302, 403)
    assert ShareLink.objects.count() == 1
    link = ShareLink.objects.get()
    client.post(f"/admin/share-links/{link.pk}/revoke/")
    link.refresh_from_db()
    assert link.revoked_at is None


def test_a_share_link_to_a_lesson_with_a_quiz_shows_the_quiz_untried(editor, course):
    """The reviewer reads as an unsaved sample student: no attempts to look up, no error."""
    lesson = add_quiz(lessons_of(course)[1].specific, quiz_value(max_attempts=2))
    lesson.title = "Quiz draft"
    lesson.save_revision()
    _, token = create_link(lesson, editor)
    response = open_share(f"/share/{token}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Draft preview" in html and "Quiz draft" in html
    assert "Which page type holds lessons?" in html and "2 attempts allowed, 2 left." in html


def test_every_response_of_the_share_view_has_the_length_of_its_body(editor, course, draft):
    """The draft banner is inserted after the preview was rendered and counted."""
    quiz_draft = add_quiz(lessons_of(course)[2].specific)
    quiz_draft.save_revision()
    course.save_revision()
    tokens = {page.title: create_link(page, editor)[1] for page in (course, draft, quiz_draft)}
    expired, expired_token = create_link(draft, editor, days=1)
    revoked, revoked_token = create_link(draft, editor)
    revoke(revoked, editor)
    urls = [f"/share/{token}/" for token in tokens.values()]
    urls += [f"/share/{expired_token}/", f"/share/{revoked_token}/", "/share/no-such-token/"]
    statuses = set()
    with time_machine.travel(expired.expires_at + timedelta(seconds=1), tick=False):
        for url in urls:
            response = open_share(url)
            statuses.add(response.status_code)
            assert response.has_header("Content-Length"), url
            assert int(response["Content-Length"]) == len(response.content), (url, response.status_code)
    assert statuses == {200, 404, 410}


def test_the_course_editor_shows_one_share_links_tab(client, editor, course):
    client.force_login(editor)
    html = client.get(f"/admin/pages/{course.pk}/edit/").content.decode()
    labels = re.findall(r'role="tab"[^>]*>(.*?)</a>', html, re.S)
    # A tab's label is its heading, then an error count in brackets (empty here).
    tabs = [re.sub(r"<[^>]+>", "", label).split("(")[0].strip() for label in labels]
    assert tabs.count("Share links") == 1, tabs
    assert tabs[0] == "Content"
