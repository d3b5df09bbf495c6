"""Signed URLs for variant playlists and segments: handed out by a granted playlist, checked with no SQL."""

import re
import time
from urllib.parse import urljoin

import pytest

from media_library import services, signing
from tests.media_fixtures import transcode_here, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def video(clips):
    return transcode_here(upload(clips / "sd.mp4", title="Signed lesson", enqueue=False))


@pytest.fixture
def watcher(django_user_model, watchers_policy, client):
    user = django_user_model.objects.create_user("watcher", password="pw")
    user.groups.add(watchers_policy)
    client.force_login(user)
    return user


def signed_variant(client, media):
    """The variant playlist URL as a granted master playlist hands it out."""
    response = client.get(services.rendition_url(media, "hls/master.m3u8"))
    assert response.status_code == 200
    urls = [line for line in response.content.decode().splitlines() if line and not line.startswith("#")]
    assert urls and all(url.startswith("/media-files/signed/") for url in urls)
    return next(url for url in urls if url.endswith("360p/index.m3u8"))


def test_a_granted_playlist_hands_out_signed_urls_that_play_with_no_queries(
    client, video, watcher, django_assert_num_queries
):
    variant = signed_variant(client, video)
    with django_assert_num_queries(0):
        playlist = client.get(variant)
    assert playlist.status_code == 200
    assert "seg_0000.ts" in playlist.content.decode()
    segment = urljoin(variant, "seg_0000.ts")
    with django_assert_num_queries(0):
        response = client.get(segment)
        data = b"".join(response.streaming_content)
    assert response.status_code == 200 and response["Content-Type"] == "video/mp2t"
    assert data[:1] == b"\x47"  # MPEG-TS sync byte
    assert "private" in response["Cache-Control"]


def test_signed_segments_play_for_visitors_without_a_session_too(client, video, watcher):
    segment = urljoin(signed_variant(client, video), "seg_0000.ts")
    client.logout()
    assert client.get(segment).status_code == 200


def test_an_expired_signature_is_refused_with_410_and_a_forged_expired_one_with_403(client, video, watcher):
    expires = int(time.time()) - 1
    prefix = signing.signed_prefix(video.pk, video.version, expires)
    gone = client.get(prefix + "hls/360p/seg_0000.ts")
    assert gone.status_code == 410 and b"expired" in gone.content
    signature = prefix.split("/")[4]
    forged = prefix.replace(signature, "0" * len(signature))
    assert client.get(forged + "hls/360p/seg_0000.ts").status_code == 403


def test_a_tampered_signature_or_expiry_is_refused(client, video, watcher):
    variant = signed_variant(client, video)
    match = re.match(r"^/media-files/signed/(\d+)/([0-9a-f]+)/(.*)$", variant)
    expires, signature, rest = match.groups()
    forged = "0" * len(signature) if signature != "0" * len(signature) else "1" * len(signature)
    assert client.get(f"/media-files/signed/{expires}/{forged}/{rest}").status_code == 403
    later = int(expires) + 3600
    assert client.get(f"/media-files/signed/{later}/{signature}/{rest}").status_code == 403


def test_a_signature_does_not_open_another_media_items_files(client, video, watcher, clips):
    other = transcode_here(upload(clips / "sd.mp4", title="Someone else's", enqueue=False))
    variant = signed_variant(client, video)
    other_variant = variant.replace(f"/{video.pk}/{video.version}/", f"/{other.pk}/{other.version}/")
    assert other_variant != variant
    assert client.get(other_variant).status_code == 403


def test_paths_outside_the_version_are_not_found_even_when_signed(client, video, watcher):
    prefix = signing.signed_prefix(video.pk, video.version)
    assert client.get(prefix + "hls/../../../other/secret.ts").status_code == 404
    assert client.get(prefix + "hls/360p/seg_0000.exe").status_code == 404
    assert client.get(prefix + "hls/360p/seg_9999.ts").status_code == 404


def test_access_revoked_ends_when_the_signature_expires(client, video, watcher, watchers_policy, settings):
    settings.MEDIA_SIGNED_URL_SECONDS = 2
    segment = urljoin(signed_variant(client, video), "seg_0000.ts")
    watcher.groups.remove(watchers_policy)
    time.sleep(3)
    assert client.get(segment).status_code == 410  # expired: as the edge answers
    # A fresh playlist asks the access policy again: refused now.
    assert client.get(services.rendition_url(video, "hls/master.m3u8")).status_code == 403
