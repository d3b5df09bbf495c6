"""Upload and replacement start the pipeline, after the transaction commits."""

import logging

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from . import services, status, tasks
from .storage import delete_tree

logger = logging.getLogger(__name__)


def media_saved(sender, instance, created, raw=False, **kwargs):
    """A new file (upload or replacement) resets the item to pending and enqueues its transcode.

    Edits that keep the file (title, tags, poster) change nothing. The transcode is written
    to the outbox in the saving transaction and published once it commits; with the broker
    down, the request still succeeds and the outbox relay publishes it once the broker is back.
    """
    if raw or not instance.file or instance.file.name == instance.source_file:
        return
    status.reset_to_pending(instance)
    tasks.enqueue_transcode(instance.pk)


def document_saved(sender, instance, created, raw=False, **kwargs):
    """A saved document is read by the worker (page count, thumbnail) unless its file's facts are in."""
    if raw or not instance.file:
        return
    services.enqueue_document_info(instance)


def document_info_deleted(sender, instance, **kwargs):
    """A document's thumbnail goes with its facts (and so with the document)."""
    name, storage = instance.thumbnail.name, instance.thumbnail.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name), robust=True)


def media_deleted(sender, instance, **kwargs):
    """Renditions and a generated poster go with the item (wagtailmedia removes the original)."""
    prefix = instance.media_root_prefix()
    poster_id = instance.poster_id if instance.poster_is_generated else None

    def clean_up():
        delete_tree(prefix)
        if poster_id:
            from wagtail.images import get_image_model

            get_image_model().objects.filter(pk=poster_id).delete()

    transaction.on_commit(clean_up, robust=True)


def caption_deleted(sender, instance, **kwargs):
    name, storage = instance.file.name, instance.file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name), robust=True)


def worker_ready(sender=None, **kwargs):
    """A worker (re)started: sweep at once, so an encode whose worker died a while ago comes back now.

    Only encodes whose heartbeat is already stale: one killed moments ago (a drain, whose
    replacement pod starts during the grace period; a container restarted in place) still
    looks alive here, and beat's sweep, every ``MEDIA_SWEEP_EVERY`` seconds, queues it again
    once its heartbeat is ``MEDIA_HEARTBEAT_TIMEOUT`` old. Beat's sweep is the guarantee;
    this one only saves a wait when a whole deployment comes back.
    """
    try:
        tasks.sweep_stuck_media.delay()
    except Exception:
        logger.warning("could not queue the media sweep at worker start", exc_info=True)


def connect():
    from celery.signals import worker_ready as celery_worker_ready
    from wagtail.documents import get_document_model

    from .models import CaptionTrack, DocumentInfo, Media

    post_save.connect(media_saved, sender=Media, dispatch_uid="media_library.media_saved")
    post_delete.connect(media_deleted, sender=Media, dispatch_uid="media_library.media_deleted")
    post_delete.connect(caption_deleted, sender=CaptionTrack, dispatch_uid="media_library.caption_deleted")
    celery_worker_ready.connect(worker_ready, dispatch_uid="media_library.worker_ready")
    post_save.connect(
        document_saved, sender=get_document_model(), dispatch_uid="media_library.document_saved"
    )
    post_delete.connect(
        document_info_deleted, sender=DocumentInfo, dispatch_uid="media_library.document_info_deleted"
    )
