"""A gated lesson's video through signed URLs: granted to the enrolled, ended by unenrolling."""

import time
from urllib.parse import urljoin

from courses.services import enroll, unenroll
from media_library import services
from tests.factories import UserFactory
from tests.page_fixtures import stored_video, video_lesson


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
    assert client.get(segment).status_code == 410
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
