"""Permission-checked serving of playlists, segments, MP4s and captions, and the player tag."""

import re
from urllib.parse import urljoin

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from media_library import services
from media_library.models import Media
from tests.media_fixtures import add_caption, transcode_here, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def video(clips):
    media = transcode_here(upload(clips / "sd.mp4", title="Private lesson", enqueue=False))
    add_caption(media, "Hello")
    return media


@pytest.fixture
def student(django_user_model, watchers_policy):
    user = django_user_model.objects.create_user("student", password="pw")
    user.groups.add(watchers_policy)
    return user


@pytest.fixture
def outsider(django_user_model, watchers_policy):
    return django_user_model.objects.create_user("outsider", password="pw")


def every_file_url(media):
    """Master playlist, variant playlist (resolved as a player would), first segment, MP4, caption."""
    master = services.rendition_url(media, "hls/master.m3u8")
    variant = urljoin(master, "360p/index.m3u8")
    segment = urljoin(variant, "seg_0000.ts")
    mp4 = services.rendition_url(media, "360p.mp4")
    return [master, variant, segment, mp4, services.caption_url(media.captions.get())]


def test_anonymous_visitors_are_refused_every_file_of_private_media(client, video, watchers_policy):
    for url in every_file_url(video):
        assert client.get(url).status_code == 403, url


def test_users_the_policy_refuses_are_refused(client, video, outsider):
    client.force_login(outsider)
    for url in every_file_url(video):
        assert client.get(url).status_code == 403, url
    assert services.playback_urls(video, outsider) is None


def test_users_the_policy_allows_get_playlists_segments_mp4_and_captions(client, video, student):
    client.force_login(student)
    master, variant, segment, mp4, caption = every_file_url(video)

    response = client.get(master)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.apple.mpegurl"
    assert "360p/index.m3u8" in response.content.decode()
    assert "private" in response["Cache-Control"]
    assert "seg_0000.ts" in client.get(variant).content.decode()
    ts = client.get(segment)
    assert ts["Content-Type"] == "video/mp2t"
    assert b"".join(ts.streaming_content)[:1] == b"\x47"  # MPEG-TS sync byte
    assert client.get(mp4)["Content-Type"] == "video/mp4"
    assert client.get(caption).content.startswith(b"WEBVTT")


def test_editors_may_watch_without_any_policy(client, video, admin_user, no_access_policy):
    client.force_login(admin_user)
    for url in every_file_url(video):
        assert client.get(url).status_code == 200, url


def test_public_media_is_open_to_anonymous_visitors(client, video):
    Media.objects.filter(pk=video.pk).update(is_public=True)
    video.refresh_from_db()
    for url in every_file_url(video):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("path", ["../../secret.txt", "hls/../../../x.mp4", "hls/master.txt", "missing.mp4"])
def test_paths_outside_the_version_or_of_other_types_are_not_found(client, video, admin_user, path):
    client.force_login(admin_user)
    assert client.get(f"/media-files/{video.pk}/{video.version}/{path}").status_code == 404


# --- The player tag ----------------------------------------------------------------------
def render_player(media, user):
    request = RequestFactory().get("/lesson/")
    request.user = user
    return Template("{% load media_library_tags %}{% media_player media start=12 %}").render(
        Context({"media": media, "request": request})
    )


def test_the_player_renders_hls_with_mp4_fallback_poster_and_captions(video, student):
    html = render_player(video, student)

    assert re.search(r'<video [^>]*data-hls="/media-files/\d+/[^"]+/hls/master.m3u8"', html)
    assert f'poster="{services.poster_url(video)}"' in html
    assert '<source src="/media-files/' in html and 'type="video/mp4"' in html
    assert 'kind="captions"' in html and 'srclang="en"' in html and 'label="English"' in html
    assert 'data-start="12.00"' in html
    assert "vendor/hls.js/hls.min.js" in html and "media_library/player.js" in html


def test_the_player_is_empty_for_no_media_and_neutral_for_users_who_may_not_watch(video, outsider):
    assert render_player(None, outsider) == ""
    html = render_player(video, outsider)
    assert "<video" not in html and "not available to you" in html
    assert "<video" not in render_player(video, AnonymousUser())


def test_processing_media_shows_its_progress_to_editors_and_a_neutral_message_to_students(
    clips, student, admin_user
):
    media = upload(clips / "sd.mp4", enqueue=False)
    Media.objects.filter(pk=media.pk).update(
        status=Media.Status.PROCESSING, progress=42, heartbeat_at=timezone.now()
    )
    media.refresh_from_db()

    assert "is processing (42%)" in render_player(media, admin_user)
    student_html = render_player(media, student)
    assert "being prepared" in student_html and "42" not in student_html


def test_failed_media_shows_the_error_to_editors_and_never_breaks_the_page(clips, student, admin_user):
    media = upload(clips / "corrupt.mp4", enqueue=False)
    Media.objects.filter(pk=media.pk).update(status=Media.Status.FAILED, error="moov atom not found")
    media.refresh_from_db()

    assert "failed to process: moov atom not found" in render_player(media, admin_user)
    student_html = render_player(media, student)
    assert "not available right now" in student_html and "moov" not in student_html


# --- Documents (PDF handouts) ------------------------------------------------------------
@pytest.fixture
def handout(clips):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from wagtail.documents import get_document_model

    return get_document_model().objects.create(
        title="Handout", file=SimpleUploadedFile("handout.pdf", (clips / "document.pdf").read_bytes())
    )


def test_documents_are_served_as_wagtail_does_until_a_policy_is_registered(client, handout):
    previous = services.register_document_access_policy(None)
    try:
        assert client.get(handout.url).status_code == 200
    finally:
        services.register_document_access_policy(previous)


def test_a_document_policy_refuses_outsiders_and_serves_members_and_editors(
    client, handout, student, outsider, admin_user
):
    previous = services.register_document_access_policy(
        lambda user, document: user.groups.filter(name="watchers").exists()
    )
    try:
        assert client.get(handout.url).status_code == 403
        client.force_login(outsider)
        assert client.get(handout.url).status_code == 403
        client.force_login(student)
        assert client.get(handout.url).status_code == 200
        client.force_login(admin_user)
        assert client.get(handout.url).status_code == 200
    finally:
        services.register_document_access_policy(previous)


def test_deleting_an_item_deletes_its_renditions_poster_and_captions(
    video, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage
    from wagtail.images import get_image_model

    prefix, poster_id = video.media_root_prefix(), video.poster_id
    caption_name = video.captions.get().file.name
    assert default_storage.exists(f"{video.version_prefix()}/360p.mp4")

    with django_capture_on_commit_callbacks(execute=True):
        video.delete()

    assert str(video.pk) not in default_storage.listdir("media_renditions")[0]
    assert not default_storage.exists(f"{prefix}/{video.version}/360p.mp4")
    assert not default_storage.exists(caption_name)
    assert not get_image_model().objects.filter(pk=poster_id).exists()


def test_mp4s_on_the_filesystem_answer_byte_ranges_so_players_can_seek(client, video, student):
    client.force_login(student)
    url = services.rendition_url(video, "360p.mp4")
    whole = b"".join(client.get(url).streaming_content)

    part = client.get(url, HTTP_RANGE="bytes=100-199")
    tail = client.get(url, HTTP_RANGE="bytes=-50")
    beyond = client.get(url, HTTP_RANGE=f"bytes={len(whole)}-")

    assert part.status_code == 206 and part["Content-Range"] == f"bytes 100-199/{len(whole)}"
    assert b"".join(part.streaming_content) == whole[100:200]
    assert b"".join(tail.streaming_content) == whole[-50:]
    assert beyond.status_code == 416
