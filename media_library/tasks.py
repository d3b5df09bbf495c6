"""The media pipeline (queue ``media``): probe, encode every rendition in one FFmpeg run, switch.

``transcode`` is the entry point (``enqueue_transcode``: through the outbox, by the signal
handlers and the admin's re-transcode action; ``publish_transcode``: by the sweep). It probes
the file, records the metadata, and enqueues ``encode`` with time limits proportional to the
duration.
Every status change goes through ``status``, the item's state machine. Both tasks are
idempotent: they do nothing for an item already ready for its current file, and an
encode writes a fresh version prefix that becomes visible only once complete and checked.

Both are acknowledged when they start (``acks_late=False``), not when they finish, and the
workers prefetch nothing: the broker's visibility timeout (about two minutes, sized for the
short tasks) never applies to an encode. A killed worker's encode is found by the sweep,
every minute, from the item's heartbeat, which the running encode writes every few seconds.
A rollout stops a worker with SIGTERM: Celery's warm shutdown takes no new task and lets the
running encode finish within the pod's grace period (media_library/limits.py).
"""

import contextlib
import glob
import hashlib
import logging
import os
import posixpath
import shutil
import tempfile
import threading
import uuid
from datetime import timedelta

from celery import shared_task
from celery.exceptions import MaxRetriesExceededError, SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from outbox.services import enqueue
from outbox.services import waiting as outbox_waiting

from . import chapters, editor_messages, ffmpeg, limits, pdf, resumable, status
from .locks import advisory_lock
from .models import DOCUMENT_THUMBNAILS_ROOT, DocumentInfo, Media, Rendition, ResumableUpload
from .storage import delete_tree, download, list_subdirs, local_path, upload_tree

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# A copy of an encode that finds another copy running (the lock is taken) waits this long,
# this many times, then leaves the item to it.
LOCK_RETRY_SECONDS = 15
LOCK_RETRIES = 20
# A pending item whose transcode is not in the outbox (the sweep's own publish failed) is
# enqueued again by the sweep after this.
ENQUEUE_GRACE = 30
LOCK_CLASS = 0x5249  # advisory-lock namespace of this pipeline ("RI")
TEMP_ROOT = os.path.join(tempfile.gettempdir(), "ringlet-transcode")


class EncodeFailure(Exception):
    """The item cannot be encoded: ``message`` (an ``editor_messages.Failure``) is for editors,
    ``detail`` for the log."""

    def __init__(self, message, detail=""):
        super().__init__(message.code)
        self.message, self.detail = message, detail


def temp_root():
    """This database's folder for work in progress.

    Media ids are unique only within a database, and a new encode clears what an earlier,
    killed one of the same id left here; so portals (or test runs) sharing a machine's /tmp
    each get their own folder rather than clear each other's work.
    """
    name = str(connection.settings_dict["NAME"])
    return os.path.join(TEMP_ROOT, hashlib.sha256(name.encode()).hexdigest()[:12])


def encode_time_limits(duration):
    """(soft, hard) seconds for an encode of ``duration`` seconds (see media_library/limits.py)."""
    return limits.encode_time_limits(duration, settings.MEDIA_MAX_DURATION_HOURS)


@shared_task(bind=True, acks_late=False, ignore_result=True, soft_time_limit=600, time_limit=660)
def transcode(self, media_id):
    """Probe a media item's file and enqueue its encode; returns what it did."""
    media = Media.objects.filter(pk=media_id).first()
    if media is None or not media.file:
        return "gone"
    if status.is_ready_for(media, media.file.name):
        return "already ready"
    if media.attempts >= MAX_ATTEMPTS:
        status.mark_failed(
            media_id, editor_messages.failure("gave_up", attempts=media.attempts), task_id=self.request.id
        )
        return "failed"
    status.start_processing(media_id)
    info = record_probe(media, task_id=self.request.id)
    if info is None:
        return "failed"
    if info.duration > limits.max_duration_seconds(settings.MEDIA_MAX_DURATION_HOURS):
        message = editor_messages.failure(
            "too_long", duration=info.duration, max_hours=settings.MEDIA_MAX_DURATION_HOURS
        )
        status.mark_failed(media_id, message, task_id=self.request.id)
        return "failed"
    soft, hard = encode_time_limits(info.duration)
    # The encode reuses what this probe learnt rather than reading the file's header again.
    _publish_encode(media_id, media.file.name, info.facts(), soft, hard)
    return "probed"


# The outbox's name for the transcode (``outbox.services.on_published`` in apps.py).
TRANSCODE = "media_library.tasks.transcode"


def enqueue_transcode(media_id):
    """Queue the item's transcode through the outbox, in the current transaction.

    The relay publishes it once the transaction commits (so the worker never reads a row
    that is not there yet), at once or, with the broker down, as soon as it is back; the
    item stays pending until then and becomes queued when it is published
    (``status.mark_queued``, registered with the outbox in apps.py).
    """
    enqueue(TRANSCODE, media_id)


def publish_transcode(media_id):
    """Hand the item's transcode to the broker now; pending becomes queued. Returns success."""
    try:
        # No result is kept (the task ignores its own): nobody reads one, and the Redis
        # result backend would retry its connection for 20 s during an outage.
        transcode.apply_async((media_id,))
    except Exception as exc:  # kombu raises several types (OperationalError, socket errors...)
        # One line, not a traceback: a broker outage is expected to happen, and says enough.
        logger.warning(
            "media %s: could not reach the broker (%s: %s); the sweep will queue it",
            media_id,
            exc.__class__.__name__,
            exc,
        )
        return False
    status.mark_queued(media_id)
    return True


def _publish_encode(media_id, source_file, facts, soft_time_limit, time_limit):
    status.wait_for_encode(media_id)
    try:
        encode.apply_async(
            (media_id, source_file, facts), soft_time_limit=soft_time_limit, time_limit=time_limit
        )
    except Exception:
        logger.warning("media %s: could not queue the encode; the sweep will", media_id, exc_info=True)
        status.back_to_pending(media_id)


def record_probe(media, task_id=None):
    """Probe the item's original, store its metadata and return it (``None``: marked failed).

    Besides the codecs and size: every audio track (``audio_tracks``), whether the video is
    interlaced (``detect_interlacing``), and the source's chapters, which become the item's
    chapters unless an editor wrote their own.
    """
    storage = media.file.storage
    try:
        # ffprobe reads a remote (S3, Azure Blob) original through a short-lived signed URL,
        # fetching only the bytes it needs.
        info = probe_source(local_path(storage, media.file.name) or storage.url(media.file.name), media.pk)
    except ffmpeg.FFmpegError as exc:
        status.mark_failed(
            media.pk, editor_messages.failure("unreadable", detail=exc.summary), exc.summary, task_id
        )
        return None
    fields = {
        "duration": round(info.duration, 3),
        "width": info.width,
        "height": info.height,
        "video_codec": info.video_codec,
        "audio_codec": info.audio_codec,
        "bitrate": info.bitrate,
        "audio_tracks": info.audio_tracks,
        "interlaced": info.interlaced,
    }
    with transaction.atomic():
        current = Media.objects.select_for_update().filter(pk=media.pk).first()
        if current is not None and (current.chapters_from_source or not current.chapters.strip()):
            # The source's chapters, or none: an editor's own chapters are never overwritten.
            fields["chapters"] = chapters.to_text(info.chapters)
            fields["chapters_from_source"] = bool(info.chapters)
        Media.objects.filter(pk=media.pk).update(**fields)
    return info


def probe_source(path, media_id=None):
    """``ffmpeg.probe`` plus interlacing: a failed detection is logged and taken as progressive."""
    info = ffmpeg.probe(path)
    try:
        info.interlaced = ffmpeg.detect_interlacing(path, info)
    except ffmpeg.FFmpegError as exc:
        logger.warning("media %s: interlacing not detected (%s); taken as progressive", media_id, exc.summary)
        info.interlaced = False
    return info


@shared_task(bind=True, acks_late=False, ignore_result=True, max_retries=LOCK_RETRIES)
def encode(self, media_id, source_file, probed=None):
    """Encode every rendition of ``source_file`` and make it the item's live version.

    ``probed`` holds the facts :func:`transcode` found (``Probe.facts()``); without them
    (a direct call), the file is probed here, so either way it is probed once.
    """
    media = Media.objects.filter(pk=media_id).first()
    if media is None or media.file.name != source_file:
        return "superseded"  # the replacement enqueued its own transcode
    if status.is_ready_for(media, source_file):
        return "already ready"
    if media.attempts >= MAX_ATTEMPTS:
        status.mark_failed(
            media_id, editor_messages.failure("gave_up", attempts=media.attempts), task_id=self.request.id
        )
        return "failed"
    with advisory_lock(LOCK_CLASS, media_id) as locked:
        if not locked:
            # Another copy is running this item (the sweep re-enqueued it while that copy
            # was slow to write its heartbeat): wait for it, a bounded number of times.
            try:
                raise self.retry(countdown=LOCK_RETRY_SECONDS)
            except MaxRetriesExceededError:
                logger.info("media %s: another encode still holds it; leaving it to that one", media_id)
                return "busy"
        media.refresh_from_db()
        if status.is_ready_for(media, source_file):
            return "already ready"  # the run that held the lock finished it
        status.start_processing(media_id, attempts=media.attempts + 1)
        _delete_orphans(media)
        task_id = self.request.id
        try:
            with _heartbeat(media_id), _workdir(media_id) as work:
                return _encode(media, source_file, work, probed)
        except EncodeFailure as exc:
            status.mark_failed(media_id, exc.message, exc.detail, task_id)
            return "failed"
        except ffmpeg.FFmpegError as exc:
            status.mark_failed(media_id, editor_messages.failure("encode_failed"), exc.summary, task_id)
            return "failed"
        except SoftTimeLimitExceeded:
            status.mark_failed(media_id, editor_messages.failure("timed_out"), "soft time limit", task_id)
            return "failed"
        except Exception as exc:
            # Say so in the admin (with a retry button) rather than sit in "processing";
            # the traceback goes to the log, the editor gets a reference to it.
            logger.exception("media %s: unexpected error in encode task %s", media_id, task_id)
            status.mark_failed(
                media_id, editor_messages.failure("unexpected", reference=task_id), repr(exc), task_id
            )
            raise


def _encode(media, source_file, work, probed):
    storage = media.file.storage
    source = local_path(storage, source_file) or download(media.file, work)
    if probed:
        info = ffmpeg.Probe.from_facts(probed)
    else:
        try:
            info = probe_source(source, media.pk)
        except ffmpeg.FFmpegError as exc:
            raise EncodeFailure(
                editor_messages.failure("unreadable", detail=exc.summary), exc.summary
            ) from None
    variants = ffmpeg.plan(info)
    out = os.path.join(work, "out")
    os.makedirs(out)

    def report(percent):
        status.report_progress(media.pk, percent)

    ffmpeg.run(ffmpeg.ladder_command(source, out, info, variants), info.duration, on_progress=report)
    read = _check_complete(out, variants, info)
    with open(os.path.join(out, "hls", "master.m3u8"), "w") as fh:
        fh.write(ffmpeg.master_playlist(variants, info))
    poster = None
    if info.has_video:
        # From the largest rendition, whose frames are known to exist up to ``read``.
        largest = variants[-1]
        jpg = _grab_poster(os.path.join(out, largest.mp4), read, work, media.pk)
        poster = jpg and (jpg, largest.width, largest.height)
    thumbnails = None
    if info.has_video:
        smallest = variants[0]
        thumbnails = _render_thumbnails(
            os.path.join(out, smallest.mp4), smallest.width, smallest.height, out, read, media.pk
        )

    version = timezone.now().strftime("v%Y%m%d%H%M%S-") + uuid.uuid4().hex[:8]
    prefix = media.version_prefix(version)
    try:
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
        if thumbnails:
            rows.append(_thumbnails_row(media, version, thumbnails, sizes))
        return _switch(media.pk, source_file, version, rows, poster)
    except BaseException:
        # Nothing a failed encode wrote stays in storage (a kill is cleaned by the next run).
        delete_tree(prefix)
        raise


def _check_complete(out, variants, info):
    """The seconds every rendition holds; a file whose renditions fall short is damaged.

    FFmpeg exits 0 on a truncated file (an interrupted copy keeps a complete header) and
    simply stops where the data does; only the output's length tells.
    """
    read = min(ffmpeg.duration_of(os.path.join(out, v.mp4)) for v in variants)
    shortfall = info.duration - read
    if shortfall > ffmpeg.shortfall_tolerance(info.duration):
        raise EncodeFailure(
            editor_messages.failure("damaged", read_seconds=read, total_seconds=info.duration),
            f"renditions hold {read:.2f} s of the source's {info.duration:.2f} s",
        )
    return read


def _grab_poster(video, duration, work, media_id):
    """A JPEG of a frame that exists (a third in, else the first), or ``None``: never fatal."""
    jpg = os.path.join(work, "poster.jpg")
    for at in dict.fromkeys((ffmpeg.poster_time(duration), 0.0)):
        with contextlib.suppress(FileNotFoundError):
            os.remove(jpg)
        try:
            ffmpeg.run_simple(ffmpeg.poster_command(video, jpg, at))
        except ffmpeg.FFmpegError as exc:
            logger.warning("media %s: no poster frame at %.2f s: %s", media_id, at, exc.summary)
            continue
        # Past the last frame FFmpeg exits 0 and writes nothing.
        if os.path.exists(jpg) and os.path.getsize(jpg):
            return jpg
        logger.warning("media %s: no poster frame at %.2f s", media_id, at)
    return None


def _render_thumbnails(video, width, height, out, duration, media_id):
    """Seek previews for the player: JPEG sprites and their WebVTT map under ``thumbs/`` in
    ``out`` (uploaded with the renditions, in the same version prefix). From the smallest
    rendition's key frames (``video``, ``width`` x ``height``); a failure leaves the item
    without previews, never fails it."""
    plan = ffmpeg.thumbnail_plan(duration, width, height)
    try:
        command = ffmpeg.thumbnails_command(video, out, plan)
        ffmpeg.run_simple(command, timeout=600)
    except ffmpeg.FFmpegError as exc:
        logger.warning("media %s: no seek-preview thumbnails: %s", media_id, exc.summary)
        shutil.rmtree(os.path.join(out, ffmpeg.THUMBS_DIR), ignore_errors=True)
        return None
    sheets = len(glob.glob(os.path.join(out, ffmpeg.THUMBS_DIR, "sprite-*.jpg")))
    if not sheets:
        return None
    with open(os.path.join(out, ffmpeg.THUMBS_VTT), "w") as fh:
        fh.write(ffmpeg.thumbnails_vtt(plan, duration, sheets))
    return plan


def _thumbnails_row(media, version, plan, sizes):
    return Rendition(
        media=media,
        version=version,
        kind=Rendition.Kind.THUMBNAILS,
        label="thumbnails",
        path=ffmpeg.THUMBS_VTT,
        width=plan.width,
        height=plan.height,
        size=sum(size for path, size in sizes.items() if path.startswith(ffmpeg.THUMBS_DIR + "/")),
    )


def _switch(media_id, source_file, version, rows, poster):
    """Make ``version`` live in one transaction, then delete the version it replaces."""
    new_poster = None
    try:
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
                new_poster = _make_poster(media, *poster)
                if new_poster is not None:
                    old_poster = media.poster if media.poster_is_generated else None
                    media.poster, media.poster_is_generated = new_poster, True
            # A queryset update: saving the instance would re-run the upload signal handler.
            Media.objects.filter(pk=media_id).update(
                poster=media.poster,
                poster_is_generated=media.poster_is_generated,
                **status.ready_fields(source_file, version),
            )
            if old_version and old_version != version:
                old_prefix = media.version_prefix(old_version)
                transaction.on_commit(lambda: delete_tree(old_prefix))
            if old_poster is not None:
                transaction.on_commit(old_poster.delete)
    except BaseException:
        if new_poster is not None:
            new_poster.file.delete(save=False)
        raise
    logger.info("media %s is ready as %s", media_id, version)
    return "ready"


def _make_poster(media, jpg_path, width, height):
    """A Wagtail image of the poster frame, or ``None`` (a poster alone never fails an item)."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.images import get_image_model

    # Saving an image writes Wagtail's reference index, keyed by content type ids the
    # worker caches for its whole life; a database re-created under a long-lived worker
    # (a restore, a test run) would otherwise break every poster.
    ContentType.objects.clear_cache()
    image = None
    try:
        with open(jpg_path, "rb") as fh:
            data = fh.read()
        image = get_image_model()(
            title=f"Poster: {media.title}"[:255], collection_id=media.collection_id, file_size=len(data)
        )
        with transaction.atomic():  # a savepoint: a failure here leaves the switch intact
            image.file.save(f"poster-{media.pk}.jpg", ContentFile(data), save=False)
            # Saving the file resets the dimension fields; FFmpeg already told us the frame size.
            image.width, image.height = width, height
            image.save()
        return image
    except Exception:
        logger.exception("media %s: the poster could not be saved; going live without one", media.pk)
        if image is not None and image.file:
            image.file.delete(save=False)
        return None


# Acknowledged on start, like every periodic sweep: a run lost with its worker is the next one's.
@shared_task(acks_late=False)
def sweep_stuck_media():
    """Queue again the items nobody is working on (beat, every minute); returns their ids.

    - pending for more than ``ENQUEUE_GRACE`` s with no transcode waiting in the outbox (the
      relay publishes those): never handed to the broker;
    - processing with no heartbeat for ``MEDIA_HEARTBEAT_TIMEOUT`` s: the worker died;
    - queued for more than ``MEDIA_STUCK_AFTER`` s: the message may have been lost with
      the broker's data (a duplicate is harmless: the tasks are idempotent).
    """
    now = timezone.now()
    stale = now - timedelta(seconds=settings.MEDIA_HEARTBEAT_TIMEOUT)
    lost = {
        "was never queued": Q(status=Media.Status.PENDING)
        & Q(status_changed_at__lt=now - timedelta(seconds=ENQUEUE_GRACE)),
        "has nobody running it": Q(status=Media.Status.PROCESSING)
        & (Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True, status_changed_at__lt=stale)),
        "waited too long in the queue": Q(status=Media.Status.QUEUED)
        & Q(status_changed_at__lt=now - timedelta(seconds=settings.MEDIA_STUCK_AFTER)),
    }
    requeued = []
    for reason, condition in lost.items():
        for media_id in Media.objects.filter(condition).values_list("pk", flat=True):
            # Its transcode still waits in the outbox: the relay publishes it, not the sweep.
            if reason == "was never queued" and outbox_waiting(TRANSCODE, media_id):
                continue
            # Re-checked as it is reset: it may have moved on since this query.
            if status.back_to_pending(media_id, still=condition):
                logger.warning("media %s %s; queueing its transcode again", media_id, reason)
                publish_transcode(media_id)
                requeued.append(media_id)
    return sorted(requeued)


# The outbox's name for the seek-preview backfill (``manage.py render_seek_previews``).
SEEK_PREVIEWS = "media_library.tasks.render_seek_previews"


def without_seek_previews():
    """Ready videos whose live version has no seek previews: encoded before they existed, or
    whose preview step failed."""
    previews = Rendition.objects.filter(
        media=OuterRef("pk"), version=OuterRef("version"), kind=Rendition.Kind.THUMBNAILS
    )
    return (
        Media.objects.filter(status=Media.Status.READY, type="video")
        .exclude(version="")
        .exclude(Exists(previews))
    )


def enqueue_seek_previews(media_id):
    """Queue the item's seek previews through the outbox (sent when the transaction commits)."""
    enqueue(SEEK_PREVIEWS, media_id)


# On the media queue (FFmpeg), acknowledged on start; idempotent: a second run finds the row.
@shared_task(acks_late=False, ignore_result=True, soft_time_limit=900, time_limit=960)
def render_seek_previews(media_id):
    """Render the seek previews of the item's live version from its smallest MP4 rendition,
    without encoding anything again: sprites and map under ``thumbs/`` in that version's
    prefix, then its ``thumbs`` rendition row. Returns what it did."""
    media = Media.objects.filter(pk=media_id).first()
    if media is None or media.status != Media.Status.READY or not media.version or media.type != "video":
        return "not a ready video"
    version = media.version
    live = media.live_renditions()
    if live.filter(kind=Rendition.Kind.THUMBNAILS).exists():
        return "already there"
    smallest = live.filter(kind=Rendition.Kind.MP4).order_by("height").first()
    if smallest is None:
        return "no video rendition"
    prefix = media.version_prefix(version)
    thumbs = posixpath.join(prefix, ffmpeg.THUMBS_DIR)
    with _workdir(media_id) as work:
        name = posixpath.join(prefix, smallest.path)
        video = local_path(default_storage, name)
        if video is None:
            video = os.path.join(work, "smallest.mp4")
            with default_storage.open(name, "rb") as src, open(video, "wb") as dst:
                shutil.copyfileobj(src, dst, length=1024 * 1024)
        out = os.path.join(work, "out")
        os.makedirs(out)
        plan = _render_thumbnails(
            video, smallest.width, smallest.height, out, ffmpeg.duration_of(video), media_id
        )
        if plan is None:
            return "failed"
        delete_tree(thumbs)  # what an interrupted run may have left: nothing points at it
        try:
            sizes = upload_tree(out, prefix, default_storage)
            with transaction.atomic():
                media = Media.objects.select_for_update().get(pk=media_id)
                if media.version != version:  # re-encoded meanwhile, with previews of its own
                    transaction.on_commit(lambda: delete_tree(thumbs))
                    return "superseded"
                _thumbnails_row(media, version, plan, sizes).save()
        except BaseException:
            delete_tree(thumbs)
            raise
    logger.info("media %s: seek previews added to %s", media_id, version)
    return "rendered"


# Hourly (beat); acknowledged on start like the other sweeps.
@shared_task(acks_late=False)
def sweep_abandoned_uploads():
    """Abort resumable uploads left unfinished for ``MEDIA_UPLOAD_ABANDON_AFTER_HOURS``: their
    parts wait in the bucket (billed) until someone aborts them. Rows of such uploads (S3 or
    Azure) are aborted and deleted; on S3, multipart uploads under ``media_uploads/`` with no
    row (a row deleted with its editor) are aborted too. Returns the keys aborted."""
    before = timezone.now() - timedelta(hours=settings.MEDIA_UPLOAD_ABANDON_AFTER_HOURS)
    if not resumable.is_supported():
        return []
    aborted = []
    for upload in ResumableUpload.objects.filter(media__isnull=True, created_at__lte=before):
        try:
            resumable.abort(upload.key, upload.upload_id)
        except Exception:  # already gone, or the store failed: the next run tries again
            logger.warning("upload %s: aborting its parts failed", upload.pk, exc_info=True)
            continue
        logger.info(
            "upload %s (%s) abandoned since %s: parts discarded", upload.pk, upload.key, upload.created_at
        )
        upload.delete()
        aborted.append(upload.key)
    # The rows decide for the uploads they describe (a recent row is an upload in progress).
    described = set(ResumableUpload.objects.values_list("key", flat=True))
    for key, upload_id in resumable.abandoned_in_store(before):
        if key in aborted or key in described:
            continue
        try:
            resumable.abort(key, upload_id)
        except Exception:
            logger.warning("upload %s: aborting its parts failed", key, exc_info=True)
            continue
        logger.info("multipart upload of %s with no row, started before %s: aborted", key, before)
        aborted.append(key)
    return sorted(aborted)


@shared_task
def record_document_info(document_id):
    """Read a PDF document: its page count and a first-page thumbnail; returns the page count.

    Idempotent: a document whose facts are recorded for its current file is left alone. A
    damaged or password-protected PDF gets a row with the reason in ``error`` (and no count
    or thumbnail); other documents get a row with neither. A replaced file's old thumbnail
    is deleted once the new facts are committed.
    """
    from wagtail.documents import get_document_model

    document = get_document_model().objects.filter(pk=document_id).first()
    if document is None:
        return None
    info = DocumentInfo.objects.filter(document=document).first()
    if info is not None and info.is_current_for(document):
        return info.page_count
    facts, error = None, None
    if pdf.is_pdf(document):
        facts, error = _read_pdf(document)
    thumbnail = ""
    if facts is not None:
        thumbnail = default_storage.save(
            f"{DOCUMENT_THUMBNAILS_ROOT}/{document.pk}/{uuid.uuid4().hex}{pdf.THUMBNAIL_EXTENSION}",
            ContentFile(facts.thumbnail),
        )
    with transaction.atomic():
        # Locked: two copies of this task must not each keep their own thumbnail.
        info, _ = DocumentInfo.objects.select_for_update().get_or_create(
            document=document, defaults={"file_name": document.file.name}
        )
        old = info.thumbnail.name
        info.file_name = document.file.name
        info.page_count = facts.pages if facts else None
        info.thumbnail = thumbnail
        info.thumbnail_width = facts.width if facts else None
        info.thumbnail_height = facts.height if facts else None
        info.error = error.default_text()[:1000] if error else ""
        info.error_code = error.code if error else ""
        info.error_params = error.params if error else {}
        info.save()
        if old and old != thumbnail:
            transaction.on_commit(lambda: default_storage.delete(old), robust=True)
    return info.page_count


def _read_pdf(document):
    """``(PdfFacts, None)``, or ``(None, reason)`` (an ``editor_messages.Failure``) for a file
    that cannot be read as a PDF."""
    storage, name = document.file.storage, document.file.name
    try:
        with tempfile.TemporaryDirectory(prefix="ringlet-pdf-") as directory:
            return pdf.read_pdf(local_path(storage, name) or download(document.file, directory)), None
    except pdf.PdfUnreadable as exc:
        return None, exc.failure
    except Exception as exc:  # PDFium and Pillow raise many types for damaged files
        logger.warning("could not read document %s as a PDF", document.pk, exc_info=True)
        return None, editor_messages.failure("pdf_unreadable", problem=str(exc)[:500])


# --- helpers -----------------------------------------------------------------------------
def _delete_orphans(media):
    """Remove what a killed encode left behind: version prefixes not live, and temp dirs."""
    live = media.version
    for name in list_subdirs(media.media_root_prefix()):
        if name != live:
            delete_tree(media.version_prefix(name))
    for path in glob.glob(os.path.join(temp_root(), f"{media.pk}-*")):
        shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def _heartbeat(media_id):
    """Write the item's heartbeat every few seconds, from a thread, while the block runs.

    A thread rather than FFmpeg's progress: copying a long lecture's renditions to an
    object store reports no progress, and must not look like a dead encode.
    """
    stop = threading.Event()
    every = max(0.5, settings.MEDIA_HEARTBEAT_TIMEOUT / 4)

    def beat():
        try:
            while not stop.wait(every):
                try:
                    status.heartbeat(media_id)
                except Exception:  # a database blip must not end the encode
                    logger.warning("media %s: could not write the heartbeat", media_id, exc_info=True)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"heartbeat-{media_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)


@contextlib.contextmanager
def _workdir(media_id):
    root = temp_root()
    os.makedirs(root, exist_ok=True)
    path = tempfile.mkdtemp(prefix=f"{media_id}-", dir=root)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
