"""What other apps may call: access policy, playback URLs, document facts, status, re-transcode.

media_library knows nothing of courses. Whether a user may watch an item is decided by
one policy function that another app registers at start-up (``AppConfig.ready``); the
lessons app registers its own rule (a lesson the user may read plays the item)::

    from media_library.services import register_access_policy

    from .access import can_view_media  # (user, media) -> bool

    register_access_policy(can_view_media)

The rule applied by :func:`can_access`, in order:

1. an item marked public (``is_public``, e.g. a course trailer) is open to everyone;
2. staff who work on the item (``accounts.services.works_on``: it is in a collection where
   they may use it, or a page they may edit uses it; editors and superusers: every item)
   may always watch;
3. otherwise the registered policy decides; with none registered, nobody else may (and
   ``manage.py check`` says so at start-up: ``checks``).

The policies' types (``AccessPolicy``, ``DocumentAccessPolicy``) are in ``policies``.

A page rendered under a grant (``grants``: a share link's draft, for a reviewer without an
account) hands out URLs signed for the items it shows instead; the serving views accept
them while the grant stands (``register_grant_check``).
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from accounts.services import works_on
from outbox.services import enqueue

from . import status, tasks
from .grants import Grant, register_grant_check, request_grant, with_grant
from .models import DocumentInfo, Media, Rendition
from .policies import (
    access_policy,
    document_access_policy,
    register_access_policy,
    register_document_access_policy,
)

__all__ = [
    "Access",
    "DocumentFacts",
    "Grant",
    "Playback",
    "Source",
    "Track",
    "access",
    "can_access",
    "can_access_document",
    "caption_url",
    "chapters_url",
    "document_facts",
    "document_url",
    "enqueue_document_info",
    "is_running",
    "media_status",
    "page_count",
    "playback_urls",
    "poster_url",
    "register_access_policy",
    "register_document_access_policy",
    "register_grant_check",
    "rendition_url",
    "request_grant",
    "retranscode",
    "status_label",
    "unreadable_documents",
    "unreadable_reason",
]


def can_access(user, media):
    """Whether ``user`` may watch or download ``media`` (see the module docstring)."""
    if media is None:
        return False
    return _may_watch(user, media)


@dataclass(frozen=True)
class Access:
    """What one user may do with one item, each question asked once: ``may_watch`` (the rule
    of :func:`can_access`) and ``editor`` (they work on it, so they see processing percentages
    and error summaries)."""

    may_watch: bool
    editor: bool


def access(user, media, allowed=False):
    """The :class:`Access` of ``user`` to ``media`` (not ``None``), asking the staff rule once.

    ``allowed=True``: the caller has already decided that ``user`` may watch (a lesson page
    whose reader may read the lesson playing it), so the access policy is not asked.
    """
    editor = works_on(user, media)
    return Access(may_watch=bool(allowed) or _may_watch(user, media, editor), editor=editor)


def _may_watch(user, media, works_on_it=None):
    """The rule of the module docstring; ``works_on_it``: the staff rule's answer if already asked."""
    if media.is_public:
        return True
    if works_on_it is None:
        works_on_it = works_on(user, media)
    if works_on_it:
        return True
    policy = access_policy()
    if policy is None or user is None:
        return False
    return bool(policy(user, media))


def can_access_document(user, document):
    """Whether ``user`` may download ``document`` (``register_document_access_policy``): the
    staff who work on it, then the policy; with none registered, as Wagtail serves it."""
    if works_on(user, document):
        return True
    policy = document_access_policy()
    if policy is None:
        return True
    return bool(policy(user, document))


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
    # The chapters track (WebVTT, kind="chapters"), or None when the item has no chapters.
    chapters: str | None = None
    # Every audio track of the source ({"language", "name", "default"}); with more than one,
    # the HLS master offers each as an alternate audio rendition (hls.js ``audioTracks``)
    # and the MP4 fallbacks carry the default one.
    audio_tracks: list = field(default_factory=list)
    # Seek previews: a WebVTT map of ``#xywh=`` sprite cells (None before the worker made one).
    thumbnails: str | None = None


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
        (r for r in renditions if r.kind in (Rendition.Kind.MP4, Rendition.Kind.AUDIO)),
        key=lambda r: r.height or 0,
        reverse=True,
    )
    thumbnails = next((r for r in renditions if r.kind == Rendition.Kind.THUMBNAILS), None)
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
        chapters=(
            with_grant(chapters_url(media), grant, "media", media.pk) if media.chapters.strip() else None
        ),
        audio_tracks=[
            {"language": t.get("language", ""), "name": t.get("name", ""), "default": bool(t.get("default"))}
            for t in media.audio_tracks or []
        ],
        thumbnails=thumbnails and with_grant(rendition_url(media, thumbnails.path), grant, "media", media.pk),
    )


def chapters_url(media):
    """The serving-view URL of the item's WebVTT chapters track."""
    return reverse("media_library:chapters", kwargs={"media_id": media.pk})


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
        "error": media.error_message,
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
    status.reset_to_pending(media)
    tasks.enqueue_transcode(media.pk)


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
        return (
            gettext("%(status)s (%(percent)s%%)") % {"status": label, "percent": media.progress}
            if media.progress
            else label
        )
    return media.get_status_display()


@dataclass(frozen=True)
class DocumentFacts:
    """What the worker found in a document: a PDF's page count and first-page thumbnail."""

    page_count: int | None = None
    thumbnail_url: str = ""
    thumbnail_width: int | None = None
    thumbnail_height: int | None = None


def enqueue_document_info(document):
    """Have the worker read ``document`` (page count, thumbnail) through the outbox, unless already done."""
    info = DocumentInfo.objects.filter(document=document).first()
    if not document.file or (info is not None and info.is_current_for(document)):
        return False
    enqueue(tasks.record_document_info, document.pk)
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


def unreadable_documents(documents):
    """``{document id: reason}`` for those of ``documents`` the worker found it cannot read
    (a PDF protected by a password, damaged or cut short), for their current file.

    One query. A document not read yet is not in it: nothing is known against it.
    """
    documents = [d for d in documents if d is not None and getattr(d, "pk", None)]
    if not documents:
        return {}
    names = {d.pk: d.file.name for d in documents}
    infos = DocumentInfo.objects.filter(document_id__in=names).exclude(error="")
    return {
        info.document_id: info.error_message
        for info in infos.only("document_id", "file_name", "error", "error_code", "error_params")
        if info.file_name == names[info.document_id]
    }


def unreadable_reason(document):
    """Why ``document`` cannot be read, or ``""`` (readable, or not read yet)."""
    return unreadable_documents([document]).get(getattr(document, "pk", None), "")


def page_count(document):
    """The number of pages of a PDF Wagtail document, or ``None`` if unknown (yet)."""
    return document_facts(document).page_count
