"""Interlaced sources are deinterlaced (bwdif), measured by FFmpeg's own idet on the output (issue 23)."""

import pytest
from django.core.files.storage import default_storage

from media_library import ffmpeg
from tests.media_fixtures import ffmpeg as run_ffmpeg
from tests.media_fixtures import transcode_here, upload

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture(scope="session")
def interlaced_clips(tmp_path_factory):
    """``1080i.mp4``: 1920x1080 at 25 interlaced frames a second, top field first (50 fields of
    a moving pattern woven in pairs: ``tinterlace``), H.264 coded interlaced, flagged ``tt``.
    ``unflagged.avi``: the same woven frames in MPEG-4 Part 2, whose container states no
    field order, so only idet can tell."""
    d = tmp_path_factory.mktemp("interlaced")
    source = ["-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=50", "-f", "lavfi", "-i", "sine", "-t", "2"]
    run_ffmpeg(
        *source,
        *["-vf", "tinterlace=mode=interleave_top,setfield=tff", "-c:v", "libx264", "-preset", "ultrafast"],
        *["-flags", "+ildct+ilme", "-field_order", "tt", "-pix_fmt", "yuv420p", "-c:a", "aac"],
        str(d / "1080i.mp4"),
    )
    run_ffmpeg(
        *source,
        *["-vf", "tinterlace=mode=interleave_top,scale=960:540:interl=1", "-c:v", "mpeg4", "-q:v", "3"],
        *["-c:a", "libmp3lame", str(d / "unflagged.avi")],
    )
    return d


def interlaced_share(counts):
    judged = counts["tff"] + counts["bff"] + counts["progressive"]
    return (counts["tff"] + counts["bff"]) / judged


def test_the_generated_1080i_clip_is_interlaced_to_begin_with(interlaced_clips):
    info = ffmpeg.probe(interlaced_clips / "1080i.mp4")

    assert (info.height, info.field_order) == (1080, "tt")
    assert interlaced_share(ffmpeg.idet_counts(interlaced_clips / "1080i.mp4")) > 0.9


def test_a_1080i_source_is_deinterlaced_and_every_rendition_measures_progressive(interlaced_clips):
    media = transcode_here(upload(interlaced_clips / "1080i.mp4", enqueue=False))

    assert media.interlaced
    renditions = {r.label: r for r in media.live_renditions()}
    assert {"360p", "720p", "1080p"} <= set(renditions)
    for label in ("360p", "720p", "1080p"):
        counts = ffmpeg.idet_counts(default_storage.path(renditions[label].storage_name))
        # idet judges most frames of the woven source interlaced; of the output, next to none.
        assert interlaced_share(counts) < 0.1, (label, counts)
        assert ffmpeg.probe(default_storage.path(renditions[label].storage_name)).field_order == "progressive"


def test_a_source_whose_container_does_not_say_is_detected_by_idet(interlaced_clips):
    info = ffmpeg.probe(interlaced_clips / "unflagged.avi")
    assert info.field_order == ""

    assert ffmpeg.detect_interlacing(interlaced_clips / "unflagged.avi", info)
    media = transcode_here(upload(interlaced_clips / "unflagged.avi", enqueue=False))
    assert media.interlaced
    counts = ffmpeg.idet_counts(default_storage.path(media.live_renditions().get(label="360p").storage_name))
    assert interlaced_share(counts) < 0.1, counts


def test_a_progressive_source_is_left_alone(clips):
    media = transcode_here(upload(clips / "hd.mp4", enqueue=False))

    assert not media.interlaced
    info = ffmpeg.probe(clips / "hd.mp4")
    assert info.field_order == "progressive" and ffmpeg.video_filter(info) == ""
