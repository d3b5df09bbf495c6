"""What other apps may call: access policy, playback URLs, status, re-transcode, page counts.

media_library knows nothing of courses. Whether a user may watch an item is decided by
one policy function that another app registers at start-up (``AppConfig.ready``)::

    from media_library.services import register_access_policy

    def may_watch(user, media):        # -> bool
        return courses.services.user_is_enrolled_in_a_course_using(user, media)

    register_access_policy(may_watch)

The rule applied by :func:`can_access`, in order:

1. an item marked public (``is_public``, e.g. a course trailer) is open to everyone;
2. staff who work on the item (``accounts.services.works_on``: it is in a collection where
   they may use it, or a page they may edit uses it; editors and superusers: every item)
   may always watch;
3. otherwise the registered policy decides; with none registered, nobody else may.

A page rendered under a grant (``grants``: a share link's draft, for a reviewer without an
account) hands out URLs signed for the items it shows instead; the serving views accept
them while the grant stands (``register_grant_check``).
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.services import works_on
from outbox.services import enqueue

# Grants are made and checked by other apps (the sharing app) through this module.
from .grants import Grant, register_grant_check, request_grant, with_grant  # noqa: F401
from .models import DocumentInfo, Media, Rendition

logger = logging.getLogger(__name__)
_policy = None
_document_policy = None


def register_access_policy(policy):
    """Install ``policy(user, media) -> bool`` as the rule for private media (replacing any earlier one).

    ``user`` may be anonymous. The policy is called on every request for a playlist,
    segment, MP4 or caption file of a private item, so it should be cheap (cache if not).
    Pass ``None`` to remove it. Returns the policy it replaced, so a caller can put it back.
    """
    global _policy
    previous, _policy = _policy, policy
    return previous


def can_access(user, media):
    """Whether ``user`` may watch or download ``media`` (see the module docstring)."""
    if media is None:
        return False
    if media.is_public:
        return True
    if works_on(user, media):
        return True
    if _policy is None or user is None:
        return False
    return bool(_policy(user, media))


def register_document_access_policy(policy):
    """Install ``policy(user, document) -> bool`` for Wagtail documents (``None`` removes it).

    Checked by Wagtail's document serving view (``before_serve_document`` hook) before the
    file or its signed URL (S3, Azure Blob) is handed over. Without a policy, documents are
    served as Wagtail serves them (its collection privacy still applies), since existing
    documents and links must keep working; staff who work on the document always pass
    (``accounts.services.works_on``).
    """
    global _document_policy
    previous, _document_policy = _document_policy, policy
    return previous


def can_access_document(user, document):
    """Whether ``user`` may download ``document`` (see ``register_document_access_policy``)."""
    if works_on(user, document):
        return True
    if _document_policy is None:
        return True
    return bool(_document_policy(user, document))


def is_editor(user, media):
    """Whether ``user`` sees editors' details of ``media`` (processing percentage, error
    summaries): the staff who work on it."""
    return works_on(user, media)


@dataclass
class Source:
    url: str
    mime: str
    label: str
    height: int | None = None


@dataclass
class Track:
    url: str
    language: str
    label: str
    kind: str
    is_default: bool


@dataclass
class Playback:
    """Everything a player needs. URLs go through the permission-checked serving view."""

    media_id: int
    kind: str  # "video" or "audio"
    title: str
    duration: float
    hls: str
    sources: list[Source] = field(default_factory=list)  # MP4 fallbacks, largest first
    captions: list[Track] = field(default_factory=list)
    poster: str | None = None


def playback_urls(media, user, allowed=False, grant=None):
    """A :class:`Playback` for a ready item ``user`` may watch, else ``None``.

    ``allowed=True`` says the caller has already decided that ``user`` may watch (a lesson
    page whose reader may read the lesson playing it), so the access policy is not asked again.
    A ``grant`` (the page is rendered under one, ``grants``) allows it too, and its signature
    for this item goes on the playlist, MP4 and caption URLs.

    The URLs point at the serving view, which checks :func:`can_access` on every request
    and then streams the file (filesystem) or redirects to a short-lived signed URL (S3,
    Azure Blob). A granted HLS playlist names its variant playlists and segments by signed
    URLs (``signing``), which are served without asking the policy (or the database) again.
    """
    # An item being re-encoded keeps playing its live version until the new one replaces it.
    if media is None or not media.version or not (allowed or grant or can_access(user, media)):
        return None
    renditions = list(media.live_renditions())
    master = next((r for r in renditions if r.kind == Rendition.Kind.HLS), None)
    if master is None:
        return None
    files = sorted(
        (r for r in renditions if r.kind != Rendition.Kind.HLS), key=lambda r: r.height or 0, reverse=True
    )
    return Playback(
        media_id=media.pk,
        kind=media.type,
        title=media.title,
        duration=media.duration,
        hls=with_grant(rendition_url(media, master.path), grant, "media", media.pk),
        sources=[
            Source(
                with_grant(rendition_url(media, r.path), grant, "media", media.pk),
                "audio/mp4" if r.kind == Rendition.Kind.AUDIO else "video/mp4",
                r.label,
                r.height,
            )
            for r in files
        ],
        captions=[
            Track(
                with_grant(caption_url(track), grant, "media", media.pk),
                track.language,
                track.label,
                track.kind,
                track.is_default,
            )
            for track in media.captions.all()
        ],
        poster=poster_url(media),
    )


def rendition_url(media, path, version=None):
    """The serving-view URL of a file of the item's live (or given) version."""
    return reverse(
        "media_library:rendition",
        kwargs={"media_id": media.pk, "version": version or media.version, "path": path},
    )


def caption_url(track):
    return reverse("media_library:caption", kwargs={"media_id": track.media_id, "caption_id": track.pk})


def document_url(document, grant=None):
    """The URL of a Wagtail document (its serving view), signed for ``grant`` when the page is
    rendered under one (``grants``)."""
    return with_grant(document.url, grant, "document", document.pk)


def poster_url(media, spec="max-1280x720"):
    if media.poster_id is None:
        return None
    try:
        return media.poster.get_rendition(spec).url
    except Exception:  # a poster whose file went missing must not break the page
        return None


def media_status(media):
    """A JSON-ready summary for admin screens: status, percent, error, duration, renditions."""
    return {
        "id": media.pk,
        "status": media.status,
        "status_display": media.get_status_display(),
        "label": status_label(media),
        "running": is_running(media),
        "progress": media.progress,
        "error": media.error,
        "duration": media.duration,
        "width": media.width,
        "height": media.height,
        "renditions": [
            {"label": r.label, "kind": r.kind, "width": r.width, "height": r.height, "size": r.size}
            for r in media.live_renditions()
        ]
        if media.version
        else [],
    }


def retranscode(media):
    """Encode ``media`` again from its original (the admin's re-transcode and retry action).

    The live renditions keep playing until the new version replaces them.
    """
    reset_to_pending(media)
    enqueue_transcode(media.pk)


# --- Status transitions ------------------------------------------------------------------
# The only code that writes an item's status, progress, error, attempts and heartbeat: the
# signal handlers, the admin's actions, the tasks and the sweep all go through these.
#
#   pending --(published)--> queued --(a worker starts)--> processing --> ready | failed
#      ^                                                       |
#      +------- the sweep: never published, or no heartbeat ---+
def reset_to_pending(media):
    """Back to pending for the item's current file (a new upload, a replacement, a retry)."""
    fields = {
        "status": Media.Status.PENDING,
        "progress": 0,
        "error": "",
        "attempts": 0,
        "heartbeat_at": None,
        "source_file": media.file.name,
        "status_changed_at": timezone.now(),
    }
    Media.objects.filter(pk=media.pk).update(**fields)
    for name, value in fields.items():
        setattr(media, name, value)


TRANSCODE = "media_library.tasks.transcode"


def enqueue_transcode(media_id):
    """Queue the item's transcode through the outbox, in the current transaction.

    The relay publishes it once the transaction commits (so the worker never reads a row
    that is not there yet), at once or, with the broker down, as soon as it is back; the
    item stays pending until then and becomes queued when it is published (``mark_queued``).
    """
    enqueue(TRANSCODE, media_id)


def mark_queued(media_id):
    """The item's transcode reached the broker: pending becomes queued (run by the outbox relay)."""
    # Conditional: a fast worker may already have started it.
    Media.objects.filter(pk=media_id, status=Media.Status.PENDING).update(
        status=Media.Status.QUEUED, status_changed_at=timezone.now()
    )


def _send(task_name, args, **options):
    # By name: tasks.py calls the transitions here, so this module must not import it back
    # (import-linter: no cycles inside an app). No result is kept: nobody reads one, and the
    # Redis result backend would retry its connection for 20 s during an outage.
    current_app.send_task(f"media_library.tasks.{task_name}", args=args, ignore_result=True, **options)


def publish_transcode(media_id):
    """Hand the item's transcode to the broker now; pending becomes queued. Returns success."""
    try:
        _send("transcode", (media_id,))
    except Exception as exc:  # kombu raises several types (OperationalError, socket errors...)
        # One line, not a traceback: a broker outage is expected to happen, and says enough.
        logger.warning(
            "media %s: could not reach the broker (%s: %s); the sweep will queue it",
            media_id,
            exc.__class__.__name__,
            exc,
        )
        return False
    mark_queued(media_id)
    return True


def publish_encode(media_id, source_file, facts, soft_time_limit, time_limit):
    """The probe is done: the item waits, queued, for a worker to encode it."""
    # Queued before publishing, so a worker that starts at once is never overwritten.
    _touch(media_id, status=Media.Status.QUEUED, progress=0, heartbeat_at=None)
    try:
        _send(
            "encode", (media_id, source_file, facts), soft_time_limit=soft_time_limit, time_limit=time_limit
        )
    except Exception:
        logger.warning("media %s: could not queue the encode; the sweep will", media_id, exc_info=True)
        _touch(media_id, status=Media.Status.PENDING)


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


def mark_failed(media_id, message, detail="", task_id=None):
    """The item failed: ``message`` is what editors read, ``detail`` (FFmpeg's words) goes to the log."""
    logger.warning("media %s failed (task %s): %s | %s", media_id, task_id, message, detail)
    _touch(media_id, status=Media.Status.FAILED, error=message[:4000], progress=0, heartbeat_at=None)


def ready_fields(source_file, version):
    """The fields of an item whose ``version`` (encoded from ``source_file``) just went live."""
    return {
        "version": version,
        "status": Media.Status.READY,
        "progress": 100,
        "error": "",
        "source_file": source_file,
        "attempts": 0,
        "heartbeat_at": None,
        "status_changed_at": timezone.now(),
    }


def requeue(media_id, still, reason):
    """The sweep found the item lost (``still``: the condition, re-checked atomically): queue it again."""
    reset = Media.objects.filter(Q(pk=media_id) & still).update(
        status=Media.Status.PENDING, progress=0, heartbeat_at=None, status_changed_at=timezone.now()
    )
    if not reset:
        return False  # it moved on since the sweep looked
    logger.warning("media %s %s; queueing its transcode again", media_id, reason)
    publish_transcode(media_id)
    return True


def is_running(media):
    """Whether a worker is encoding the item right now (its heartbeat is fresh)."""
    if media.status != Media.Status.PROCESSING or media.heartbeat_at is None:
        return False
    return timezone.now() - media.heartbeat_at < timedelta(seconds=settings.MEDIA_HEARTBEAT_TIMEOUT)


def status_label(media):
    """What the admin shows: "Queued" while waiting, progress only for an encode someone runs."""
    if media.status in (Media.Status.PENDING, Media.Status.QUEUED):
        return str(Media.Status.QUEUED.label)
    if media.status == Media.Status.PROCESSING:
        if not is_running(media):
            # Its worker stopped; the sweep queues it again within a minute or two.
            return str(Media.Status.QUEUED.label)
        label = str(Media.Status.PROCESSING.label)
        return f"{label} ({media.progress}%)" if media.progress else label
    return media.get_status_display()


def _touch(media_id, **fields):
    Media.objects.filter(pk=media_id).update(status_changed_at=timezone.now(), **fields)


@dataclass(frozen=True)
class DocumentFacts:
    """What the worker found in a document: a PDF's page count and first-page thumbnail."""

    page_count: int | None = None
    thumbnail_url: str = ""
    thumbnail_width: int | None = None
    thumbnail_height: int | None = None


def is_pdf(document):
    """Whether a Wagtail document is a PDF (by its file's extension, which Wagtail checks)."""
    return bool(document.file) and document.file.name.lower().endswith(".pdf")


def document_info_is_current(document, info):
    """Whether ``info`` (a ``DocumentInfo`` or ``None``) holds the facts of ``document``'s current file.

    A PDF's facts are complete with a thumbnail or a recorded error: a row from before
    thumbnails existed is read again.
    """
    if info is None or info.file_name != document.file.name:
        return False
    return not is_pdf(document) or bool(info.thumbnail) or bool(info.error)


def enqueue_document_info(document):
    """Have the worker read ``document`` (page count, thumbnail) through the outbox, unless already done."""
    info = DocumentInfo.objects.filter(document=document).first()
    if not document.file or document_info_is_current(document, info):
        return False
    enqueue("media_library.tasks.record_document_info", document.pk)
    return True


def document_facts(document, grant=None):
    """``DocumentFacts`` of a Wagtail document (empty until the worker has read it); the
    thumbnail's URL is signed for ``grant`` when the page is rendered under one (``grants``)."""
    info = DocumentInfo.objects.filter(document=document).first()
    if info is None:
        return DocumentFacts()
    if not info.thumbnail or info.file_name != document.file.name:
        return DocumentFacts(page_count=info.page_count if info.file_name == document.file.name else None)
    return DocumentFacts(
        page_count=info.page_count,
        thumbnail_url=with_grant(
            reverse("media_library:document_thumbnail", args=[document.pk]), grant, "document", document.pk
        ),
        thumbnail_width=info.thumbnail_width,
        thumbnail_height=info.thumbnail_height,
    )


def page_count(document):
    """The number of pages of a PDF Wagtail document, or ``None`` if unknown (yet)."""
    return document_facts(document).page_count
