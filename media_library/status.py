"""A media item's status: the only code that writes its status, progress, error, attempts and heartbeat.

Private to the media library: the signal handlers, the tasks (which also hand the work to the
broker, ``tasks.enqueue_transcode``) and the sweep come through here; other apps read a
status through ``services`` (``status_label``, ``media_status``) and ask for a new encode
with ``services.retranscode``. It sits below ``tasks``, so it sends nothing itself::

    pending --(published)--> queued --(a worker starts)--> processing --> ready | failed
       ^                                                       |
       +------- the sweep: never published, or no heartbeat ---+
"""

import logging

from django.db.models import Q
from django.utils import timezone

from .models import Media

logger = logging.getLogger(__name__)


def is_ready_for(media, source_file):
    """Whether ``media`` already plays a version encoded from ``source_file`` (a task has nothing to do)."""
    return media.status == Media.Status.READY and media.source_file == source_file and bool(media.version)


def reset_to_pending(media):
    """Back to pending for the item's current file (a new upload, a replacement, a retry)."""
    fields = {
        "status": Media.Status.PENDING,
        "progress": 0,
        "error": "",
        "error_code": "",
        "error_params": {},
        "attempts": 0,
        "heartbeat_at": None,
        "source_file": media.file.name,
        "status_changed_at": timezone.now(),
    }
    Media.objects.filter(pk=media.pk).update(**fields)
    for name, value in fields.items():
        setattr(media, name, value)


def mark_queued(media_id):
    """Its transcode was handed to the broker: pending becomes queued.

    Conditional: a fast worker may already have started it.
    """
    Media.objects.filter(pk=media_id, status=Media.Status.PENDING).update(
        status=Media.Status.QUEUED, status_changed_at=timezone.now()
    )


def wait_for_encode(media_id):
    """The probe is done: the item waits, queued, for a worker to encode it.

    Written before the encode is published, so a worker that starts at once is never overwritten.
    """
    _touch(media_id, status=Media.Status.QUEUED, progress=0, heartbeat_at=None)


def back_to_pending(media_id, still=None):
    """Nobody will run the item's queued work (it could not be published, or the sweep found it
    lost): pending again, for the sweep. ``still``: a condition re-checked atomically (a ``Q``).

    Returns whether the item was reset (False: it moved on since the caller looked).
    """
    condition = Q(pk=media_id) & (still if still is not None else Q())
    return bool(
        Media.objects.filter(condition).update(
            status=Media.Status.PENDING, progress=0, heartbeat_at=None, status_changed_at=timezone.now()
        )
    )


def start_processing(media_id, attempts=None):
    """A worker has started on the item (``attempts``: the count including this run)."""
    fields = {"status": Media.Status.PROCESSING, "progress": 0, "heartbeat_at": timezone.now()}
    if attempts is not None:
        fields["attempts"] = attempts
    _touch(media_id, **fields)


def heartbeat(media_id):
    """The running encode is alive (written every few seconds by the worker running it)."""
    Media.objects.filter(pk=media_id, status=Media.Status.PROCESSING).update(heartbeat_at=timezone.now())


def report_progress(media_id, percent):
    _touch(media_id, progress=percent, heartbeat_at=timezone.now())


def mark_failed(media_id, failure, detail="", task_id=None):
    """The item failed: ``failure`` (an ``editor_messages.Failure``) is what editors read, in
    their language when shown; ``detail`` (FFmpeg's words) goes to the log."""
    message = failure.default_text()
    logger.warning("media %s failed (task %s): %s | %s", media_id, task_id, message, detail)
    _touch(
        media_id,
        status=Media.Status.FAILED,
        error=message[:4000],
        error_code=failure.code,
        error_params=failure.params,
        progress=0,
        heartbeat_at=None,
    )


def ready_fields(source_file, version):
    """The fields of an item whose ``version`` (encoded from ``source_file``) just went live."""
    return {
        "version": version,
        "status": Media.Status.READY,
        "progress": 100,
        "error": "",
        "error_code": "",
        "error_params": {},
        "source_file": source_file,
        "attempts": 0,
        "heartbeat_at": None,
        "status_changed_at": timezone.now(),
    }


def _touch(media_id, **fields):
    Media.objects.filter(pk=media_id).update(status_changed_at=timezone.now(), **fields)
