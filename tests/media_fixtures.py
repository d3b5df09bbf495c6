"""Media items for any app's tests: upload a file, wait for the worker, or run the pipeline in-process.

``upload`` and ``wait_until_settled`` go with the session's ``celery_worker`` (transactional
tests); ``transcode_here`` runs the same probe and encode tasks in the test process, for
tests whose data the worker cannot see (inside a test transaction).
"""

from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage

from media_library import tasks
from media_library.models import Media
from tests.processes import wait_for


def upload(path, media_type="video", title=None, enqueue=True, **fields):
    """Create a media item from a local file. With ``enqueue=False`` no transcode is queued
    (the file is stored first and the item records it as already seen), as when the broker
    was down at upload time."""
    path = Path(path)
    if enqueue:
        with path.open("rb") as fh:
            return Media.objects.create(
                title=title or path.stem, type=media_type, file=File(fh, name=path.name), **fields
            )
    with path.open("rb") as fh:
        name = default_storage.save(f"media/{path.name}", File(fh, name=path.name))
    return Media.objects.create(
        title=title or path.stem, type=media_type, file=name, source_file=name, **fields
    )


def wait_until_settled(media, timeout=90):
    """Wait until ``media`` is ready or failed; return it fresh from the database."""

    def settled():
        media.refresh_from_db()
        return media.status in (Media.Status.READY, Media.Status.FAILED) and media

    return wait_for(settled, timeout=timeout, interval=0.3, message=f"media {media.pk} to be ready or failed")


def transcode_here(media):
    """Encode ``media`` with the real pipeline (FFmpeg, renditions, switch) in this process; return it."""
    result = tasks.encode.apply(args=(media.pk, media.file.name)).get()
    media.refresh_from_db()
    assert (result, media.status) == ("ready", Media.Status.READY), media.error
    return media


def add_caption(media, cue, language="en", label="English"):
    """Give ``media`` a default WebVTT caption track with one cue, ``cue``, from 0 to 1.5 s."""
    from django.core.files.base import ContentFile

    from media_library.models import CaptionTrack

    vtt = f"WEBVTT\n\n00:00:00.000 --> 00:00:01.500\n{cue}\n".encode()
    return CaptionTrack.objects.create(
        media=media,
        language=language,
        label=label,
        is_default=True,
        file=ContentFile(vtt, name=f"{language}.vtt"),
    )
