"""A share link's reviewer, without an account, plays the draft's media and downloads its documents.

Nobody else gets them: not a visitor without the link, not another item with the link's
signature, and not the reviewer once the link is revoked or expired (playlists, MP4s,
captions and documents at once; segments already handed out within their signed lifetime).
"""

import html
import re
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import urljoin

import pytest
import time_machine
from django.test import Client

from media_library import services
from sharing.services import create_link, revoke
from tests.media_fixtures import add_caption
from tests.page_fixtures import document_block, lessons_of, make_document, stored_video


@pytest.fixture
def shared(course, editor):
    """An enrollment-gated lesson whose unpublished draft plays a new video (with captions)
    and offers a new document, shared by a link; the live lesson uses neither."""
    lesson = lessons_of(course)[1].specific
    media = stored_video("Draft lecture")
    add_caption(media, "Hello reviewers")
    document = make_document("draft-handout")
    lesson.body = [("video", {"video": media, "caption": "", "transcript": ""}), document_block(document)]
    lesson.save_revision()
    link, token = create_link(lesson, editor)
    return SimpleNamespace(lesson=lesson, media=media, document=document, link=link, token=token)


def page_urls(client, token):
    """The media and document URLs the share page hands its reader."""
    response = client.get(f"/share/{token}/")
    assert response.status_code == 200
    text = response.content.decode()

    def found(pattern):
        match = re.search(pattern, text)
        assert match, f"no {pattern} on the share page"
        return html.unescape(match.group(1))

    return {
        "master": found(r'data-hls="([^"]+)"'),
        "mp4": found(r'<source src="([^"]+)"'),
        "caption": found(r'<track [^>]*src="([^"]+)"'),
        "document": found(r'document-block__download" href="([^"]+)"'),
    }


def hls_files(client, master):
    """The (signed) variant playlist and segment URLs a granted master playlist names."""
    playlist = client.get(master)
    assert playlist.status_code == 200
    variant = playlist.content.decode().splitlines()[-1]
    assert variant.startswith("/media-files/signed/")
    segment = urljoin(variant, client.get(variant).content.decode().splitlines()[-2])
    return variant, segment


def statuses(client, urls):
    return {name: client.get(url).status_code for name, url in urls.items()}


ALL_OK = {"master": 200, "mp4": 200, "caption": 200, "document": 200}
REFUSED = {"master": 403, "mp4": 403, "caption": 403, "document": 403}


def test_the_reviewer_plays_the_drafts_video_and_downloads_its_document(shared):
    reviewer = Client()
    urls = page_urls(reviewer, shared.token)
    assert all("grant=share-" in url for url in urls.values())
    assert statuses(reviewer, urls) == ALL_OK
    variant, segment = hls_files(reviewer, urls["master"])
    assert reviewer.get(variant).status_code == 200
    assert reviewer.get(segment).status_code == 200
    assert b"Hello reviewers" in reviewer.get(urls["caption"]).content
    assert reviewer.get(urls["document"]).getvalue().startswith(b"%PDF")


def test_a_visitor_without_the_link_is_refused_the_same_files(shared):
    plain = {
        "master": services.rendition_url(shared.media, "hls/master.m3u8"),
        "mp4": services.rendition_url(shared.media, "360p.mp4"),
        "caption": services.caption_url(shared.media.captions.get()),
        "document": shared.document.url,
    }
    assert statuses(Client(), plain) == REFUSED
    # The live lesson is still gated and plays nothing of the draft.
    assert Client().get(shared.lesson.url).status_code == 403


def test_the_links_signature_opens_the_items_on_its_page_only(shared, course):
    reviewer = Client()
    urls = page_urls(reviewer, shared.token)
    grant = urls["master"].split("grant=", 1)[1]
    # Course material of another gated lesson, not on the shared page.
    other = stored_video("Not on the shared page")
    other_document = make_document("other-handout")
    elsewhere = lessons_of(course)[2].specific
    elsewhere.body = [
        ("video", {"video": other, "caption": "", "transcript": ""}),
        document_block(other_document),
    ]
    elsewhere.save_revision().publish()
    assert (
        reviewer.get(f"{services.rendition_url(other, 'hls/master.m3u8')}?grant={grant}").status_code == 403
    )
    assert reviewer.get(f"{other_document.url}?grant={grant}").status_code == 403
    # A media item's signature is not its document's, and a changed expiry breaks it.
    assert reviewer.get(f"{shared.document.url}?grant={grant}").status_code == 403
    kind_key, expires, signature = grant.split(".")
    later = f"{kind_key}.{int(expires) + 86400}.{signature}"
    assert reviewer.get(urls["master"].replace(grant, later)).status_code == 403


def test_revoking_the_link_refuses_its_media_at_once_and_its_segments_within_their_lifetime(
    shared, editor, settings
):
    reviewer = Client()
    urls = page_urls(reviewer, shared.token)
    variant, segment = hls_files(reviewer, urls["master"])
    revoke(shared.link, editor)
    assert statuses(reviewer, urls) == REFUSED
    assert reviewer.get(f"/share/{shared.token}/").status_code == 410
    # Segments already handed out are signed URLs of their own: the documented grace.
    assert reviewer.get(segment).status_code == 200
    with time_machine.travel(timedelta(seconds=settings.MEDIA_SIGNED_URL_SECONDS + 1)):
        # Expired: 410, so the player asks for a fresh playlist, which the revoked link refuses.
        assert reviewer.get(segment).status_code == 410
        assert reviewer.get(variant).status_code == 410


def test_an_expired_link_grants_nothing(shared):
    reviewer = Client()
    urls = page_urls(reviewer, shared.token)
    with time_machine.travel(shared.link.expires_at + timedelta(seconds=1)):
        assert statuses(reviewer, urls) == REFUSED
    with time_machine.travel(shared.link.expires_at - timedelta(minutes=1)):
        assert statuses(reviewer, urls) == ALL_OK


def test_a_link_whose_page_is_deleted_grants_nothing(shared):
    reviewer = Client()
    urls = page_urls(reviewer, shared.token)
    media_urls = {"master": urls["master"], "mp4": urls["mp4"]}
    assert statuses(reviewer, media_urls) == {"master": 200, "mp4": 200}
    shared.lesson.delete()
    assert statuses(reviewer, media_urls) == {"master": 403, "mp4": 403}


def test_a_granted_request_asks_the_database_only_for_the_item_and_the_link(
    shared, django_assert_num_queries
):
    reviewer = Client()
    urls = page_urls(reviewer, shared.token)
    _variant, segment = hls_files(reviewer, urls["master"])
    with django_assert_num_queries(2):  # the media item, then whether the link still stands
        assert reviewer.get(urls["master"]).status_code == 200
    with django_assert_num_queries(0):  # signed segments stay free of queries
        assert reviewer.get(segment).status_code == 200


def test_the_reviewer_sees_the_drafts_pdf_thumbnail_and_a_visitor_does_not(course, editor):
    from media_library.tasks import record_document_info
    from tests.media_fixtures import make_document as make_pdf_document
    from tests.media_fixtures import make_pdf

    lesson = lessons_of(course)[1].specific
    handout = make_pdf_document(make_pdf(pages=2), title="Draft reading")
    record_document_info(handout.pk)
    lesson.body = [document_block(handout)]
    lesson.save_revision()
    _link, token = create_link(lesson, editor)
    reviewer = Client()
    text = reviewer.get(f"/share/{token}/").content.decode()
    thumbnail = html.unescape(re.search(r'class="document-block__thumbnail" src="([^"]+)"', text).group(1))
    assert "grant=share-" in thumbnail
    response = reviewer.get(thumbnail)
    assert response.status_code == 200 and response["Content-Type"] == "image/webp"
    assert Client().get(thumbnail.split("?")[0]).status_code == 403
