"""Seek previews: the worker's thumbnail sprites and WebVTT map, in the version prefix, served
under the renditions' access rules with signed sprite URLs."""

import io
import re

import pytest
from PIL import Image

from media_library import ffmpeg, services
from media_library.models import Rendition
from tests.media_fixtures import transcode_here, upload

pytestmark = pytest.mark.django_db

TIME = r"(\d\d:\d\d:\d\d\.\d{3})"
CUE = re.compile(rf"^{TIME} --> {TIME}\n(\S+)#xywh=(\d+),(\d+),(\d+),(\d+)$", re.M)


@pytest.fixture
def watcher(django_user_model, watchers_policy, client):
    user = django_user_model.objects.create_user("watcher", password="pw")
    user.groups.add(watchers_policy)
    client.force_login(user)
    return user


def test_a_plan_spaces_frames_so_a_three_hour_lecture_has_at_most_300():
    short = ffmpeg.thumbnail_plan(12, 640, 360)
    assert (short.interval, short.count, short.width, short.height) == (2.0, 6, 160, 90)
    lecture = ffmpeg.thumbnail_plan(3 * 3600, 1920, 1080)
    assert lecture.interval == 36.0 and lecture.count == 300


def test_the_map_names_each_cell_of_each_sheet_and_ends_at_the_duration():
    plan = ffmpeg.ThumbnailPlan(interval=2.0, count=102, width=160, height=90)
    cues = CUE.findall(ffmpeg.thumbnails_vtt(plan, 203.5, sheets=2))
    assert len(cues) == 102
    assert cues[0] == ("00:00:00.000", "00:00:02.000", "sprite-001.jpg", "0", "0", "160", "90")
    assert cues[11] == ("00:00:22.000", "00:00:24.000", "sprite-001.jpg", "160", "90", "160", "90")
    assert cues[100] == ("00:03:20.000", "00:03:22.000", "sprite-002.jpg", "0", "0", "160", "90")
    assert cues[101][:2] == ("00:03:22.000", "00:03:23.500")


def test_the_worker_renders_sprites_and_map_in_the_version_prefix_and_playback_names_them(
    clips, client, watcher
):
    media = transcode_here(upload(clips / "hd.mp4", title="Previewed", enqueue=False))  # 3 s, 720p
    row = media.live_renditions().get(kind=Rendition.Kind.THUMBNAILS)
    assert (row.path, row.width, row.height) == ("thumbs/thumbnails.vtt", 160, 90)
    playback = services.playback_urls(media, watcher)
    assert playback.thumbnails == services.rendition_url(media, "thumbs/thumbnails.vtt")
    # The MP4 sources are the videos only.
    assert [s.label for s in playback.sources] == ["720p", "360p"]

    response = client.get(playback.thumbnails)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/vtt")
    text = response.content.decode()
    assert text.startswith("WEBVTT")
    cues = CUE.findall(text)
    # A frame every 2 s; the last cue ends where the renditions do (3 s and the AAC tail).
    assert [start for start, *_ in cues] == ["00:00:00.000", "00:00:02.000"]
    assert cues[0][1] == "00:00:02.000" and "00:00:03.000" <= cues[1][1] < "00:00:03.100"
    # Sprite URIs are signed (served with no query, under grants too), each cell 160x90.
    sprite = cues[1][2]
    assert sprite.startswith("/media-files/signed/")
    assert sprite.endswith(f"/{media.version}/thumbs/sprite-001.jpg")
    assert cues[1][3:] == ("160", "0", "160", "90")
    client.logout()
    image = client.get(sprite)
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    picture = Image.open(io.BytesIO(b"".join(image.streaming_content)))
    assert picture.size == (160 * ffmpeg.THUMB_COLUMNS, 90 * ffmpeg.THUMB_ROWS)


def test_the_map_is_refused_to_a_visitor_the_policy_refuses(
    clips, client, django_user_model, watchers_policy
):
    media = transcode_here(upload(clips / "sd.mp4", title="Private previews", enqueue=False))
    outsider = django_user_model.objects.create_user("outsider", password="pw")
    client.force_login(outsider)
    assert client.get(services.rendition_url(media, "thumbs/thumbnails.vtt")).status_code == 403


def test_an_audio_item_has_no_previews(clips):
    media = transcode_here(upload(clips / "tone.mp3", media_type="audio", title="Tone", enqueue=False))
    assert not media.live_renditions().filter(kind=Rendition.Kind.THUMBNAILS).exists()


def test_videos_encoded_before_previews_existed_get_them_from_a_thumbnail_only_task(clips, client, watcher):
    """``manage.py render_seek_previews`` queues, through the outbox, a task that renders the
    previews of the live version from its smallest rendition: no re-encode, same version."""
    from django.core.files.storage import default_storage
    from django.core.management import call_command

    from media_library.tasks import SEEK_PREVIEWS, render_seek_previews
    from outbox.models import Message

    media = transcode_here(upload(clips / "hd.mp4", title="Old lecture", enqueue=False))
    # As an item encoded before previews existed: no thumbs row, no thumbs/ files.
    media.live_renditions().filter(kind=Rendition.Kind.THUMBNAILS).delete()
    version, mp4s = media.version, list(media.live_renditions().values_list("pk", flat=True))
    prefix = media.version_prefix()
    _dirs, files = default_storage.listdir(f"{prefix}/thumbs")
    for name in files:
        default_storage.delete(f"{prefix}/thumbs/{name}")
    assert services.playback_urls(media, watcher).thumbnails is None
    audio = transcode_here(upload(clips / "tone.mp3", media_type="audio", title="Tone", enqueue=False))

    out = io.StringIO()
    call_command("render_seek_previews", stdout=out)

    assert out.getvalue().strip() == "Queued seek previews for 1 video(s)."
    message = Message.objects.get(task=SEEK_PREVIEWS)
    assert message.args == [media.pk] and audio.pk not in message.args
    assert render_seek_previews(*message.args) == "rendered"

    media.refresh_from_db()
    assert media.version == version  # nothing encoded again
    assert set(mp4s) <= set(media.live_renditions().values_list("pk", flat=True))
    row = media.live_renditions().get(kind=Rendition.Kind.THUMBNAILS)
    assert (row.path, row.width, row.height) == ("thumbs/thumbnails.vtt", 160, 90) and row.size > 0
    playback = services.playback_urls(media, watcher)
    response = client.get(playback.thumbnails)
    assert response.status_code == 200 and CUE.findall(response.content.decode())
    # Idempotent, and nothing left to queue.
    assert render_seek_previews(media.pk) == "already there"
    call_command("render_seek_previews", stdout=out)
    assert Message.objects.filter(task=SEEK_PREVIEWS).count() == 1
