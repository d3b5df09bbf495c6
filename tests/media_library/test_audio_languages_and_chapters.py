"""Every audio track kept (HLS alternate audio renditions, the default in the MP4), and the
source's chapters as an editable WebVTT chapters track (issue 23)."""

import re
import subprocess
from pathlib import Path

import pytest
import webvtt
from django.core.files.storage import default_storage
from django.urls import reverse

from media_library import ffmpeg, tasks
from tests.media_fixtures import ffmpeg as run_ffmpeg
from tests.media_fixtures import ffprobe_streams, transcode_here, upload

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

CHAPTERS = """;FFMETADATA1
title=Lecture

[CHAPTER]
TIMEBASE=1/1000
START=0
END=1500
title=Introduction

[CHAPTER]
TIMEBASE=1/1000
START=1500
END=3000
title=Worked example
"""


@pytest.fixture(scope="session")
def language_clips(tmp_path_factory):
    """``two-languages.mp4``: 640x360, 3 s, an English track (a 440 Hz tone) and a French one
    (silence) marked default, and two chapters; ``lecture.m4a``: AAC audio with the same
    chapters, as an M4A from a podcast tool."""
    d = tmp_path_factory.mktemp("languages")
    (d / "chapters.txt").write_text(CHAPTERS)
    run_ffmpeg(
        *["-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25", "-f", "lavfi", "-i", "sine=frequency=440"],
        *["-f", "lavfi", "-i", "anullsrc=channel_layout=stereo:sample_rate=44100"],
        *["-i", str(d / "chapters.txt")],
        *["-t", "3", "-map", "0:v", "-map", "1:a", "-map", "2:a", "-map_metadata", "3", "-map_chapters", "3"],
        *["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac"],
        *["-metadata:s:a:0", "language=eng", "-metadata:s:a:1", "language=fre"],
        *["-disposition:a:0", "0", "-disposition:a:1", "default", str(d / "two-languages.mp4")],
    )
    run_ffmpeg(
        *["-f", "lavfi", "-i", "sine=frequency=330", "-i", str(d / "chapters.txt"), "-t", "3"],
        *["-map", "0:a", "-map_metadata", "1", "-map_chapters", "1", "-c:a", "aac", str(d / "lecture.m4a")],
    )
    return d


def max_volume(path):
    """The loudest sample of a file's (or playlist's) first audio stream, in dB (-91 is silence)."""
    out = subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostdin", "-i", str(path), "-map", "0:a:0", "-af", "volumedetect"]
        + ["-f", "null", "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    return float(re.search(r"max_volume: (-?[\d.]+) dB", out).group(1))


def stored(media, path):
    return default_storage.path(f"{media.version_prefix()}/{path}")


def test_a_two_language_file_keeps_both_as_hls_audio_renditions_and_the_mp4_keeps_the_default(
    language_clips, root_collection
):
    media = transcode_here(upload(language_clips / "two-languages.mp4", enqueue=False))

    assert media.audio_tracks == [
        {"index": 0, "language": "en", "name": "English", "default": False},
        {"index": 1, "language": "fr", "name": "French", "default": True},
    ]
    master = Path(stored(media, "hls/master.m3u8")).read_text()
    media_lines = [line for line in master.splitlines() if line.startswith("#EXT-X-MEDIA:")]
    assert media_lines == [
        '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",LANGUAGE="en",NAME="English",DEFAULT=NO,'
        'AUTOSELECT=YES,CHANNELS="2",URI="audio_0/index.m3u8"',
        '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",LANGUAGE="fr",NAME="French",DEFAULT=YES,'
        'AUTOSELECT=YES,CHANNELS="2",URI="audio_1/index.m3u8"',
    ]
    variants = [line for line in master.splitlines() if line.startswith("#EXT-X-STREAM-INF:")]
    assert variants and all(line.endswith(',AUDIO="audio"') for line in variants)
    # Each rendition holds its own language: the English tone, the French silence.
    assert ffprobe_streams(stored(media, "hls/audio_0/index.m3u8")) == [("audio", "aac", None, None)]
    assert max_volume(stored(media, "hls/audio_0/index.m3u8")) > -30
    assert max_volume(stored(media, "hls/audio_1/index.m3u8")) < -80
    # The video variants carry video alone; the player adds the chosen audio rendition.
    assert ffprobe_streams(stored(media, "hls/360p/index.m3u8")) == [("video", "h264", 640, 360)]
    # The MP4 fallback keeps one track: the default (French, silent), not simply the first.
    assert ffprobe_streams(stored(media, "360p.mp4")) == [
        ("video", "h264", 640, 360),
        ("audio", "aac", None, None),
    ]
    assert max_volume(stored(media, "360p.mp4")) < -80


def test_a_granted_master_playlist_signs_the_audio_renditions_uris_too(client, language_clips, admin_user):
    media = transcode_here(upload(language_clips / "two-languages.mp4", enqueue=False))
    client.force_login(admin_user)

    master = client.get(reverse("media_library:rendition", args=[media.pk, media.version, "hls/master.m3u8"]))

    uris = re.findall(r'URI="([^"]+)"', master.content.decode())
    assert len(uris) == 2 and all(uri.startswith("/media-files/signed/") for uri in uris)
    audio = client.get(uris[1])
    assert audio.status_code == 200 and "#EXTINF" in audio.content.decode()


def test_a_single_audio_track_stays_muxed_in_each_variant(clips, root_collection):
    media = transcode_here(upload(clips / "sd.mp4", enqueue=False))

    master = Path(stored(media, "hls/master.m3u8")).read_text()
    assert "#EXT-X-MEDIA" not in master and "AUDIO=" not in master
    assert len(media.audio_tracks) == 1 and media.audio_tracks[0]["default"]


def test_the_sources_chapters_become_a_webvtt_chapters_track(client, language_clips, admin_user):
    media = transcode_here(upload(language_clips / "two-languages.mp4", enqueue=False))

    assert media.chapters == "0:00 Introduction\n0:01.5 Worked example"
    assert media.chapters_from_source
    client.force_login(admin_user)
    response = client.get(reverse("media_library:chapters", args=[media.pk]))
    assert response["Content-Type"] == "text/vtt; charset=utf-8"
    cues = webvtt.from_string(response.content.decode())
    assert [(c.start, c.end, c.text) for c in cues] == [
        ("00:00:00.000", "00:00:01.500", "Introduction"),
        ("00:00:01.500", "00:00:03.000", "Worked example"),
    ]


def test_the_chapters_track_is_served_only_to_who_may_watch(client, language_clips, django_user_model):
    media = transcode_here(upload(language_clips / "two-languages.mp4", enqueue=False))
    client.force_login(django_user_model.objects.create_user("outsider", "o@example.com", "pw"))

    assert client.get(reverse("media_library:chapters", args=[media.pk])).status_code == 403


def test_m4a_chapters_are_kept(language_clips, root_collection):
    media = transcode_here(upload(language_clips / "lecture.m4a", media_type="audio", enqueue=False))

    assert media.chapters == "0:00 Introduction\n0:01.5 Worked example"
    assert [t["name"] for t in media.audio_tracks] == ["Track 1"]


def test_an_editors_chapters_are_kept_over_the_sources_on_a_new_encode(client, language_clips, admin_user):
    media = transcode_here(upload(language_clips / "two-languages.mp4", enqueue=False))
    client.force_login(admin_user)
    edit = reverse("wagtailmedia:edit", args=[media.pk])
    form = {"title": media.title, "collection": media.collection_id, "tags": ""}

    response = client.post(edit, {**form, "chapters": "0:00 Welcome\n0:02 \u2013 Summary\n"})

    assert response.status_code == 302
    media.refresh_from_db()
    assert (media.chapters, media.chapters_from_source) == ("0:00 Welcome\n0:02 Summary", False)
    tasks.record_probe(media)  # a re-transcode probes the source again
    media.refresh_from_db()
    assert media.chapters == "0:00 Welcome\n0:02 Summary"


@pytest.mark.parametrize(
    ("chapters", "message"),
    [
        ("Introduction", "Line 1, “Introduction”, is not a chapter: write a start time and a title"),
        ("0:00 Start\n0:10 Late", "Line 2: the chapter starts at 0:10, after the end of the recording"),
        ("0:02 B\n0:01 A", "Line 2: chapters must be in order"),
        ("0:75 Odd", "Line 1: “0:75” is not a time"),
    ],
)
def test_chapters_an_editor_writes_wrong_are_refused_with_the_line_and_what_to_write(
    client, language_clips, admin_user, chapters, message
):
    media = transcode_here(upload(language_clips / "two-languages.mp4", enqueue=False))
    client.force_login(admin_user)
    form = {"title": media.title, "collection": media.collection_id, "tags": "", "chapters": chapters}

    response = client.post(reverse("wagtailmedia:edit", args=[media.pk]), form)

    assert response.status_code == 200
    assert any(error.startswith(message) for error in response.context["form"].errors["chapters"])
    media.refresh_from_db()
    assert media.chapters == "0:00 Introduction\n0:01.5 Worked example"  # nothing lost


def test_the_playback_offers_the_chapters_and_the_audio_tracks(language_clips, admin_user):
    from media_library import services

    media = transcode_here(upload(language_clips / "two-languages.mp4", enqueue=False))

    playback = services.playback_urls(media, admin_user)

    assert playback.chapters == reverse("media_library:chapters", args=[media.pk])
    assert [(t["language"], t["default"]) for t in playback.audio_tracks] == [("en", False), ("fr", True)]


def test_track_names_come_from_titles_then_languages_and_stay_distinct():
    streams = [
        {"codec_type": "audio", "tags": {"language": "eng", "handler_name": "SoundHandler"}},
        {"codec_type": "audio", "tags": {"language": "eng", "title": "Commentary"}},
        {"codec_type": "audio", "tags": {"language": "und"}},
        {"codec_type": "audio", "tags": {"language": "eng"}},
    ]

    tracks = ffmpeg.audio_tracks(streams)

    assert [(t["language"], t["name"], t["default"]) for t in tracks] == [
        ("en", "English", True),
        ("en", "Commentary", False),
        ("", "Track 3", False),
        ("en", "English (2)", False),
    ]


def test_the_edit_view_lists_the_audio_tracks_found(client, language_clips, admin_user):
    media = transcode_here(upload(language_clips / "two-languages.mp4", enqueue=False))
    client.force_login(admin_user)

    html = client.get(reverse("wagtailmedia:edit", args=[media.pk])).content.decode()

    assert "<dt>Audio tracks</dt><dd>English (en); French (fr), default</dd>" in html
    assert 'name="chapters"' in html and "Worked example" in html
