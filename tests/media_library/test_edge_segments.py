"""Signed HLS URLs checked by the edge (a real nginx, deploy/edge/): served when valid, refused
when expired, tampered with or for another item or version, and never handed to Django."""

import re
import shutil
import time
from urllib.parse import urljoin

import pytest

from media_library import services, signing
from tests.media_fixtures import transcode_here, upload

pytestmark = pytest.mark.django_db(transaction=True)

SEGMENT = "hls/360p/seg_0000.ts"


@pytest.fixture
def at_edge(edge, settings):
    settings.MEDIA_SIGNED_AT_EDGE = True
    return edge


@pytest.fixture
def video(clips):
    return transcode_here(upload(clips / "sd.mp4", title="Edge lesson", enqueue=False))


def on_disk(media, path):
    from django.conf import settings

    return (settings.MEDIA_ROOT / media.version_prefix(media.version) / path).read_bytes()


def test_a_valid_signature_is_served_by_the_edge_itself(at_edge, video):
    prefix = signing.signed_prefix(video.pk, video.version)
    assert prefix.startswith("/media-files/edge/")
    segment = at_edge.get(prefix + SEGMENT)
    assert segment.status_code == 200 and segment.content == on_disk(video, SEGMENT)
    assert segment.headers["Content-Type"] == "video/mp2t"
    assert "private" in segment.headers["Cache-Control"]
    # Not a Python process: Django gives every response it makes a request id.
    assert "X-Request-ID" not in segment.headers and segment.headers["X-Edge-Cache"] == "SIGNED"
    variant = at_edge.get(prefix + "hls/360p/index.m3u8")
    assert variant.status_code == 200 and "seg_0000.ts" in variant.text
    assert variant.headers["Content-Type"] == "application/vnd.apple.mpegurl"
    # Players seek: byte ranges work.
    part = at_edge.get(prefix + SEGMENT, headers={"Range": "bytes=0-187"})
    assert part.status_code == 206 and part.content == on_disk(video, SEGMENT)[:188]


def test_an_expired_signature_is_refused_with_410(at_edge, video):
    prefix = signing.signed_prefix(video.pk, video.version, expires=int(time.time()) - 1)
    assert at_edge.get(prefix + SEGMENT).status_code == 410


def test_a_tampered_signature_or_expiry_is_refused_with_403(at_edge, video):
    prefix = signing.signed_prefix(video.pk, video.version)
    expires, signature = re.match(r"^/media-files/edge/(\d+)/([^/]+)/", prefix).groups()
    rest = prefix.split(f"/{signature}/", 1)[1]
    forged = ("A" if signature[0] != "A" else "B") + signature[1:]
    assert at_edge.get(f"/media-files/edge/{expires}/{forged}/{rest}{SEGMENT}").status_code == 403
    later = int(expires) + 3600
    assert at_edge.get(f"/media-files/edge/{later}/{signature}/{rest}{SEGMENT}").status_code == 403
    # Signed with another key (Django's SECRET_KEY, say): refused.
    wrong_key = signing.edge_token(video.pk, video.version, expires, key="x" * 40)
    assert at_edge.get(f"/media-files/edge/{expires}/{wrong_key}/{rest}{SEGMENT}").status_code == 403


def test_a_signature_opens_neither_another_item_nor_another_version(at_edge, video, clips):
    other = transcode_here(upload(clips / "sd.mp4", title="Someone else's", enqueue=False))
    prefix = signing.signed_prefix(video.pk, video.version)
    elsewhere = prefix.replace(f"/{video.pk}/{video.version}/", f"/{other.pk}/{other.version}/")
    assert at_edge.get(elsewhere + SEGMENT).status_code == 403
    # The same item's other version (as a re-encode leaves beside the old one until it is live).
    from django.conf import settings

    newer = "0123456789abcdef"
    root = settings.MEDIA_ROOT
    shutil.copytree(root / video.version_prefix(), root / video.version_prefix(newer))
    try:
        moved = prefix.replace(f"/{video.version}/", f"/{newer}/")
        assert at_edge.get(moved + SEGMENT).status_code == 403
        assert at_edge.get(signing.signed_prefix(video.pk, newer) + SEGMENT).status_code == 200
    finally:
        shutil.rmtree(root / video.version_prefix(newer))


def test_paths_outside_the_version_never_leave_it(at_edge, video):
    prefix = signing.signed_prefix(video.pk, video.version)
    # nginx resolves the dots before matching: the signature no longer covers the result.
    assert at_edge.get(prefix + "../../1/x/" + SEGMENT).status_code in (403, 404)
    assert at_edge.get(prefix + "hls/360p/seg_9999.ts").status_code == 404
    assert at_edge.get(prefix + "hls/360p/seg_0000.exe").status_code in (403, 404)


def test_a_granted_playlist_through_the_edge_hands_out_edge_signed_urls(
    at_edge, video, django_user_model, watchers_policy, client
):
    user = django_user_model.objects.create_user("watcher", password="pw")
    user.groups.add(watchers_policy)
    client.force_login(user)
    cookie = {"Cookie": f"sessionid={client.cookies['sessionid'].value}"}
    master = at_edge.get(services.rendition_url(video, "hls/master.m3u8"), headers=cookie)
    assert master.status_code == 200 and "X-Request-ID" in master.headers  # Django checked access
    urls = [line for line in master.text.splitlines() if line and not line.startswith("#")]
    assert urls and all(url.startswith("/media-files/edge/") for url in urls)
    variant = next(url for url in urls if url.endswith("360p/index.m3u8"))
    segment = at_edge.get(urljoin(variant, "seg_0000.ts"))  # no cookie: the signature is enough
    assert segment.status_code == 200 and "X-Request-ID" not in segment.headers


def test_without_an_edge_django_checks_the_edge_scheme_the_same_way(settings, video, client, edge_key):
    """``make run`` with MEDIA_SIGNED_AT_EDGE on and no nginx in front still plays."""
    settings.MEDIA_SIGNED_AT_EDGE = True
    settings.MEDIA_EDGE_SIGNING_KEY = edge_key
    prefix = signing.signed_prefix(video.pk, video.version)
    response = client.get(prefix + SEGMENT)
    assert response.status_code == 200 and b"".join(response.streaming_content) == on_disk(video, SEGMENT)
    expired = signing.signed_prefix(video.pk, video.version, expires=int(time.time()) - 1)
    assert client.get(expired + SEGMENT).status_code == 410  # as nginx answers
    other_key = "/" + signing.edge_token(video.pk, video.version, int(time.time()) + 60, key="y" * 40) + "/"
    forged = re.sub(r"/[A-Za-z0-9_-]{22}/", other_key, prefix)
    assert client.get(forged + SEGMENT).status_code == 403


def test_with_the_setting_off_urls_go_to_django_as_before(settings, video):
    settings.MEDIA_SIGNED_AT_EDGE = False
    assert signing.signed_prefix(video.pk, video.version).startswith("/media-files/signed/")
