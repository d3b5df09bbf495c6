"""The media pipeline (queue ``media``): probe, encode every rendition in one FFmpeg run, switch.

``transcode`` is the entry point (enqueued on commit by the signal handlers, the admin's
re-transcode action and the stuck sweep). It probes the file, records the metadata,
and enqueues ``encode`` with time limits proportional to the duration. Both tasks are
idempotent: they do nothing for an item already ready for its current file, and an
encode writes a fresh version prefix that becomes visible only once complete.
"""

import contextlib
import glob
import hashlib
import logging
import os
import shutil
import tempfile
import uuid
from datetime import timedelta

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

from . import ffmpeg, services
from .models import DocumentInfo, Media, Rendition
from .storage import delete_tree, download, list_subdirs, local_path, upload_tree

logger = logging.getLogger(__name__)

# Encodes get (base + factor x duration) seconds: about 0.3x real time was measured for
# 720p on 2 cores, so 3x leaves room for a loaded node and for moving the files.
TIME_LIMIT_BASE = 300
TIME_LIMIT_FACTOR = 3
MAX_ATTEMPTS = 5
LOCK_CLASS = 0x5249  # advisory-lock namespace of this pipeline ("RI")
TEMP_ROOT = os.path.join(tempfile.gettempdir(), "ringlet-transcode")


def temp_root():
    """This database's folder for work in progress.

    Media ids are unique only within a database, and a new encode clears what an earlier,
    killed one of the same id left here; so portals (or test runs) sharing a machine's /tmp
    each get their own folder rather than clear each other's work.
    """
    name = str(connection.settings_dict["NAME"])
    return os.path.join(TEMP_ROOT, hashlib.sha256(name.encode()).hexdigest()[:12])


def encode_time_limits(duration):
    soft = int(TIME_LIMIT_BASE + TIME_LIMIT_FACTOR * (duration or 0))
    return soft, soft + 60


@shared_task(bind=True, soft_time_limit=600, time_limit=660)
def transcode(self, media_id):
    """Probe a media item's file and enqueue its encode; returns what it did."""
    media = Media.objects.filter(pk=media_id).first()
    if media is None or not media.file:
        return "gone"
    if media.status == Media.Status.READY and media.source_file == media.file.name and media.version:
        return "already ready"
    if media.attempts >= MAX_ATTEMPTS:
        services.mark_failed(
            media_id, f"Gave up after {media.attempts} attempts; the worker died or timed out each time."
        )
        return "failed"
    services.start_processing(media_id)
    info = record_probe(media)
    if info is None:
        return "failed"
    soft, hard = encode_time_limits(info.duration)
    # The encode reuses what this probe learnt rather than reading the file's header again.
    encode.apply_async((media_id, media.file.name, info.facts()), soft_time_limit=soft, time_limit=hard)
    return "probed"


def record_probe(media):
    """Probe the item's original, store its metadata and return it (``None``: marked failed)."""
    storage = media.file.storage
    try:
        # ffprobe reads a remote (S3, Azure Blob) original through a short-lived signed URL,
        # fetching only the bytes it needs.
        info = ffmpeg.probe(local_path(storage, media.file.name) or storage.url(media.file.name))
    except ffmpeg.FFmpegError as exc:
        services.mark_failed(media.pk, exc.summary)
        return None
    Media.objects.filter(pk=media.pk).update(
        duration=round(info.duration, 3),
        width=info.width,
        height=info.height,
        video_codec=info.video_codec,
        audio_codec=info.audio_codec,
        bitrate=info.bitrate,
    )
    return info


@shared_task(bind=True, max_retries=None)
def encode(self, media_id, source_file, probed=None):
    """Encode every rendition of ``source_file`` and make it the item's live version.

    ``probed`` holds the facts :func:`transcode` found (``Probe.facts()``); without them
    (a direct call), the file is probed here, so either way it is probed once.
    """
    media = Media.objects.filter(pk=media_id).first()
    if media is None or media.file.name != source_file:
        return "superseded"  # the replacement enqueued its own transcode
    if media.status == Media.Status.READY and media.source_file == source_file and media.version:
        return "already ready"
    if media.attempts >= MAX_ATTEMPTS:
        services.mark_failed(
            media_id, f"Gave up after {media.attempts} attempts; the worker died or timed out each time."
        )
        return "failed"
    with _media_lock(media_id) as locked:
        if not locked:
            # Another worker is on this item (a redelivery racing a slow encode).
            raise self.retry(countdown=15)
        media.refresh_from_db()
        if media.status == Media.Status.READY and media.source_file == source_file and media.version:
            return "already ready"  # the run that held the lock finished it
        services.start_processing(media_id, attempts=media.attempts + 1)
        _delete_orphans(media)
        try:
            with _workdir(media_id) as work:
                return _encode(media, source_file, work, probed)
        except ffmpeg.FFmpegError as exc:
            services.mark_failed(media_id, exc.summary)
            return "failed"
        except SoftTimeLimitExceeded:
            services.mark_failed(media_id, "The encode took longer than its time limit and was stopped.")
            return "failed"
        except Exception as exc:
            # Say so in the admin (with a retry button) rather than sit in "processing".
            services.mark_failed(media_id, f"Unexpected error ({exc.__class__.__name__}): {exc}")
            raise


def _encode(media, source_file, work, probed):
    storage = media.file.storage
    source = local_path(storage, source_file) or download(media.file, work)
    info = ffmpeg.Probe.from_facts(probed) if probed else ffmpeg.probe(source)
    variants = ffmpeg.plan(info)
    out = os.path.join(work, "out")
    os.makedirs(out)

    def report(percent):
        services.report_progress(media.pk, percent)

    ffmpeg.run(ffmpeg.ladder_command(source, out, info, variants), info.duration, on_progress=report)
    with open(os.path.join(out, "hls", "master.m3u8"), "w") as fh:
        fh.write(ffmpeg.master_playlist(variants, info))
    poster_jpg = None
    if info.has_video:
        poster_jpg = os.path.join(work, "poster.jpg")
        ffmpeg.run_simple(ffmpeg.poster_command(source, poster_jpg, info))

    version = timezone.now().strftime("v%Y%m%d%H%M%S-") + uuid.uuid4().hex[:8]
    prefix = media.version_prefix(version)
    sizes = upload_tree(out, prefix, default_storage)
    rows = [
        Rendition(
            media=media,
            version=version,
            kind=Rendition.Kind.AUDIO if v.label == "audio" else Rendition.Kind.MP4,
            label=v.label,
            path=v.mp4,
            width=v.width,
            height=v.height,
            bitrate=v.bandwidth,
            size=sizes[v.mp4],
        )
        for v in variants
    ]
    rows.append(
        Rendition(
            media=media,
            version=version,
            kind=Rendition.Kind.HLS,
            label="master",
            path="hls/master.m3u8",
            width=variants[-1].width,
            height=variants[-1].height,
            size=sizes["hls/master.m3u8"],
        )
    )
    return _switch(media.pk, source_file, version, rows, poster_jpg and (poster_jpg, info))


def _switch(media_id, source_file, version, rows, poster):
    """Make ``version`` live in one transaction, then delete the version it replaces."""
    with transaction.atomic():
        media = Media.objects.select_for_update().get(pk=media_id)
        if media.file.name != source_file:
            transaction.on_commit(lambda: delete_tree(media.version_prefix(version)))
            return "superseded"
        old_version = media.version
        Rendition.objects.bulk_create(rows)
        media.renditions.exclude(version=version).delete()
        old_poster = None
        if poster and (media.poster_id is None or media.poster_is_generated):
            old_poster = media.poster if media.poster_is_generated else None
            media.poster = _make_poster(media, *poster)
            media.poster_is_generated = True
        # A queryset update: saving the instance would re-run the upload signal handler.
        Media.objects.filter(pk=media_id).update(
            poster=media.poster,
            poster_is_generated=media.poster_is_generated,
            **services.ready_fields(source_file, version),
        )
        if old_version and old_version != version:
            old_prefix = media.version_prefix(old_version)
            transaction.on_commit(lambda: delete_tree(old_prefix))
        if old_poster is not None:
            transaction.on_commit(old_poster.delete)
    logger.info("media %s is ready as %s", media_id, version)
    return "ready"


def _make_poster(media, jpg_path, info):
    from django.contrib.contenttypes.models import ContentType
    from wagtail.images import get_image_model

    # Saving an image writes Wagtail's reference index, keyed by content type ids the
    # worker caches for its whole life; a database re-created under a long-lived worker
    # (a restore, a test run) would otherwise break every poster.
    ContentType.objects.clear_cache()
    with open(jpg_path, "rb") as fh:
        data = fh.read()
    image = get_image_model()(
        title=f"Poster: {media.title}"[:255], collection_id=media.collection_id, file_size=len(data)
    )
    image.file.save(f"poster-{media.pk}.jpg", ContentFile(data), save=False)
    # Saving the file resets the dimension fields; FFmpeg already told us the frame size.
    image.width, image.height = info.width, info.height
    image.save()
    return image


@shared_task
def sweep_stuck_media():
    """Re-enqueue items left pending or processing too long (scheduled by beat); returns their ids.

    Progress updates refresh ``status_changed_at`` about once a second, so a live encode
    is never taken for a stuck one; a lost message (broker down at upload time) or a
    worker that died without redelivery is.
    """
    cutoff = timezone.now() - timedelta(seconds=settings.MEDIA_STUCK_AFTER)
    stuck = list(
        Media.objects.filter(
            status__in=[Media.Status.PENDING, Media.Status.PROCESSING], status_changed_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
    for media_id in stuck:
        services.requeue_stuck(media_id)
    return stuck


@shared_task
def record_document_info(document_id):
    """Count a PDF document's pages (other documents get a row without a count)."""
    import pypdf
    from wagtail.documents import get_document_model

    document = get_document_model().objects.filter(pk=document_id).first()
    if document is None:
        return None
    pages, error = None, ""
    if document.file.name.lower().endswith(".pdf"):
        try:
            with document.file.storage.open(document.file.name, "rb") as fh:
                pages = len(pypdf.PdfReader(fh).pages)
        except Exception as exc:  # pypdf raises many types for damaged files
            error = f"Could not read the PDF: {exc}"[:1000]
    DocumentInfo.objects.update_or_create(
        document=document, defaults={"file_name": document.file.name, "page_count": pages, "error": error}
    )
    return pages


# --- helpers -----------------------------------------------------------------------------
def _gave_up(attempts):
    return f"Gave up after {attempts} attempts; the worker died or timed out each time."


def _delete_orphans(media):
    """Remove what a killed encode left behind: version prefixes not live, and temp dirs."""
    live = media.version
    for name in list_subdirs(media.media_root_prefix()):
        if name != live:
            delete_tree(media.version_prefix(name))
    for path in glob.glob(os.path.join(temp_root(), f"{media.pk}-*")):
        shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def _workdir(media_id):
    root = temp_root()
    os.makedirs(root, exist_ok=True)
    path = tempfile.mkdtemp(prefix=f"{media_id}-", dir=root)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def _media_lock(media_id):
    """A PostgreSQL session advisory lock per item: released by the server if the worker dies."""
    if connection.vendor != "postgresql":
        yield True  # SQLite is the single-process development set-up
        return
    key = [LOCK_CLASS, media_id]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", key)
        locked = cursor.fetchone()[0]
    try:
        yield locked
    finally:
        if locked:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)
