"""Task configuration: queue, redelivery, time limits, the sweep's schedule."""

import os

from django.conf import settings

from media_library import ffmpeg
from media_library.tasks import encode, encode_time_limits, sweep_stuck_media, transcode


def test_media_tasks_go_to_the_media_queue_and_the_long_ones_are_acknowledged_on_start(celery_app):
    for task in (transcode, encode, sweep_stuck_media):
        assert celery_app.amqp.router.route({}, task.name)["queue"].name == "media"
    # Short tasks are redelivered by the broker if their worker dies; the encode is found
    # by the sweep from its heartbeat instead (the visibility timeout is hours long).
    assert celery_app.conf.task_acks_late and celery_app.conf.task_reject_on_worker_lost
    assert transcode.acks_late is False and encode.acks_late is False


def test_encode_time_limits_grow_with_the_duration_up_to_the_longest_supported(settings):
    short_soft, short_hard = encode_time_limits(10)
    long_soft, long_hard = encode_time_limits(3600)
    assert short_soft < short_hard and long_soft < long_hard
    assert long_soft - short_soft == 3 * (3600 - 10)
    settings.MEDIA_MAX_DURATION_HOURS = 3
    assert encode_time_limits(5 * 3600) == encode_time_limits(3 * 3600)


def test_the_stuck_sweep_is_scheduled_by_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["media-sweep-stuck"]
    assert entry["task"] == sweep_stuck_media.name
    assert entry["schedule"] < settings.MEDIA_STUCK_AFTER


def probed(width, height):
    return ffmpeg.Probe(duration=5, has_video=width is not None, has_audio=True, width=width, height=height)


def test_the_ladder_never_scales_up_and_adds_1080p_for_full_hd_sources():
    assert [v.label for v in ffmpeg.plan(probed(3840, 2160))] == ["360p", "720p", "1080p"]
    assert [(v.label, v.width) for v in ffmpeg.plan(probed(1920, 1080))] == [
        ("360p", 640),
        ("720p", 1280),
        ("1080p", 1920),
    ]
    assert [v.label for v in ffmpeg.plan(probed(1920, 1078))] == ["360p", "720p"]
    # Odd sizes round down, never up: 641x359 was encoded as 642x360.
    assert [(v.width, v.height) for v in ffmpeg.plan(probed(641, 359))] == [(640, 358)]
    assert [(v.label, v.width) for v in ffmpeg.plan(probed(1280, 720))] == [("360p", 640), ("720p", 1280)]
    assert [v.label for v in ffmpeg.plan(probed(854, 480))] == ["360p"]
    assert [(v.label, v.width, v.height) for v in ffmpeg.plan(probed(426, 240))] == [("240p", 426, 240)]
    assert [v.label for v in ffmpeg.plan(probed(None, None))] == ["audio"]


def test_work_in_progress_is_kept_per_database_so_portals_sharing_tmp_never_clear_each_other(db):
    from django.db import connection

    from media_library.tasks import TEMP_ROOT, temp_root

    ours = temp_root()
    name = connection.settings_dict["NAME"]
    try:
        connection.settings_dict["NAME"] = f"{name}_another_portal"
        theirs = temp_root()
    finally:
        connection.settings_dict["NAME"] = name
    assert ours != theirs
    assert os.path.dirname(ours) == os.path.dirname(theirs) == TEMP_ROOT


def test_the_encode_reuses_the_transcodes_probe_from_its_facts(clips):
    info = ffmpeg.probe(clips / "hd.mp4")

    again = ffmpeg.Probe.from_facts(info.facts())

    assert again.facts() == info.facts()
    assert (again.width, again.height, again.has_audio) == (1280, 720, True)
    assert "raw" not in info.facts()  # the message carries facts, not ffprobe's whole output


def test_a_second_copy_of_an_encode_waits_for_the_running_one_a_bounded_number_of_times(db, clips):
    from django.db import connections

    from media_library.models import Media
    from media_library.tasks import LOCK_CLASS, LOCK_RETRIES, LOCK_RETRY_SECONDS
    from tests.media_fixtures import upload

    media = upload(clips / "sd.mp4", enqueue=False)
    # The first copy: another database session holding the item's lock, as a running encode does.
    first = connections.create_connection("default")
    try:
        with first.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [LOCK_CLASS, media.pk])

        # Eagerly, each retry runs at once instead of LOCK_RETRY_SECONDS later.
        result = encode.apply(args=(media.pk, media.file.name))
    finally:
        first.close()

    assert result.get() == "busy"
    media.refresh_from_db()
    # Left to the first copy: this one changed nothing.
    assert (media.status, media.attempts, media.version) == (Media.Status.PENDING, 0, "")
    assert LOCK_RETRIES * LOCK_RETRY_SECONDS == 300  # it waits five minutes at most


def test_the_poster_falls_back_to_the_first_frame_and_a_missing_frame_is_never_an_error(clips, tmp_path):
    from media_library.tasks import _grab_poster

    # The header says 4 s, but only about 1 s of frames exist: a third in (1.33 s) is past
    # the last frame, where FFmpeg writes nothing and exits 0.
    jpg = _grab_poster(str(clips / "truncated-30.mp4"), 4.0, str(tmp_path), media_id=0)
    assert jpg and os.path.getsize(jpg) > 0
    assert ffmpeg.probe(jpg).width == 320

    assert _grab_poster(str(tmp_path / "missing.mp4"), 4.0, str(tmp_path / "none"), media_id=0) is None


def test_editor_messages_are_plain_and_name_no_path_even_when_ffmpeg_does():
    from media_library import editor_messages

    detail = "[mov,mp4 @ 0x55d0c8a1e940] moov atom not found\n/var/media/media/lecture.mp4: Invalid data"
    for message in (
        editor_messages.unreadable(detail),
        editor_messages.unreadable("something else"),
        editor_messages.damaged(5.07, 10.0),
        editor_messages.encode_failed(),
        editor_messages.too_long(4 * 3600 + 125, 3),
        editor_messages.timed_out(),
        editor_messages.gave_up(5),
    ):
        assert "/" not in message.replace("H.264", "") and "0x" not in message and "moov" not in message
    assert editor_messages.damaged(5.07, 10.0) == (
        "The file seems damaged: only 5 of its 10 seconds could be read. Please upload it again."
    )
    assert editor_messages.damaged(42 * 60, 95 * 60).startswith(
        "The file seems damaged: only 42 of its 95 minutes"
    )
    assert editor_messages.too_long(4 * 3600 + 125, 3).startswith("This recording is 4 h 2 min long")
