"""A gated lesson's video through signed URLs: granted to the enrolled, ended by unenrolling."""

import time
from urllib.parse import urljoin

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from courses.services import enroll, unenroll
from media_library import services
from tests.factories import UserFactory
from tests.page_fixtures import make_media, video_lesson

MASTER = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360\n360p/index.m3u8\n"
VARIANT = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nseg_0000.ts\n#EXT-X-ENDLIST\n"


def stored_video():
    """A ready item whose HLS files are in storage (the segment's bytes are never decoded)."""
    media = make_media(title="Gated clip")
    media.status, media.version = media.Status.READY, "v1"
    media.save()
    prefix = media.version_prefix()
    for name, data in (("hls/master.m3u8", MASTER), ("hls/360p/index.m3u8", VARIANT)):
        default_storage.save(f"{prefix}/{name}", ContentFile(data.encode()))
    default_storage.save(f"{prefix}/hls/360p/seg_0000.ts", ContentFile(b"\x47" + b"\0" * 187))
    return media


def test_unenrolling_ends_signed_playback_once_the_signature_expires(client, course, settings):
    settings.MEDIA_SIGNED_URL_SECONDS = 2
    media = stored_video()
    video_lesson(course.get_children().first(), media, title="Watch this")
    student = UserFactory(username="signed-student")
    enroll(student, course)
    client.force_login(student)
    master = services.rendition_url(media, "hls/master.m3u8")

    playlist = client.get(master)
    assert playlist.status_code == 200
    variant = playlist.content.decode().splitlines()[-1]
    assert variant.startswith("/media-files/signed/")
    segment = urljoin(variant, "seg_0000.ts")
    assert client.get(segment).status_code == 200

    unenroll(student, course)
    time.sleep(3)
    assert client.get(segment).status_code == 403
    assert client.get(master).status_code == 403


def test_a_signed_url_works_for_its_lifetime_after_unenrolling(client, course):
    """The documented grace: a revoked enrollment keeps what it was granted for
    MEDIA_SIGNED_URL_SECONDS (five minutes by default), not longer."""
    media = stored_video()
    video_lesson(course.get_children().first(), media, title="Watch this")
    student = UserFactory(username="signed-student")
    enroll(student, course)
    client.force_login(student)
    variant = client.get(services.rendition_url(media, "hls/master.m3u8")).content.decode().splitlines()[-1]
    unenroll(student, course)
    assert client.get(urljoin(variant, "seg_0000.ts")).status_code == 200
    assert client.get(services.rendition_url(media, "hls/master.m3u8")).status_code == 403
