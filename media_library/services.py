"""What other apps may call: access policy, playback URLs, status, re-transcode, page counts.

media_library knows nothing of courses. Whether a user may watch an item is decided by
one policy function that another app registers at start-up (``AppConfig.ready``)::

    from media_library.services import register_access_policy

    def may_watch(user, media):        # -> bool
        return courses.services.user_is_enrolled_in_a_course_using(user, media)

    register_access_policy(may_watch)

The rule applied by :func:`can_access`, in order:

1. an item marked public (``is_public``, e.g. a course trailer) is open to everyone;
2. staff (``accounts.services.is_staff``: editors, instructors) may always watch;
3. otherwise the registered policy decides; with none registered, nobody else may.
"""

from dataclasses import dataclass, field

from django.urls import reverse

from accounts.services import is_staff

from .models import CaptionTrack, DocumentInfo, Media, Rendition

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
    if is_staff(user):
        return True
    if _policy is None or user is None:
        return False
    return bool(_policy(user, media))


def register_document_access_policy(policy):
    """Install ``policy(user, document) -> bool`` for Wagtail documents (``None`` removes it).

    Checked by Wagtail's document serving view (``before_serve_document`` hook) before the
    file or its signed URL (S3, Azure Blob) is handed over. Without a policy, documents are
    served as Wagtail serves them (its collection privacy still applies), since existing
    documents and links must keep working; admin users always pass.
    """
    global _document_policy
    previous, _document_policy = _document_policy, policy
    return previous


def can_access_document(user, document):
    if is_staff(user):
        return True
    if _document_policy is None:
        return True
    return bool(_document_policy(user, document))


def is_editor(user):
    """Whether ``user`` sees editors' details (processing percentage, error summaries): staff."""
    return is_staff(user)


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


def playback_urls(media, user, allowed=False):
    """A :class:`Playback` for a ready item ``user`` may watch, else ``None``.

    ``allowed=True`` says the caller has already decided that ``user`` may watch (a lesson
    page whose reader may read the lesson playing it), so the access policy is not asked again.

    The URLs point at the serving view, which checks :func:`can_access` on every request
    and then streams the file (filesystem) or redirects to a short-lived signed URL (S3,
    Azure Blob). A granted HLS playlist names its variant playlists and segments by signed
    URLs (``signing``), which are served without asking the policy (or the database) again.
    """
    # An item being re-encoded keeps playing its live version until the new one replaces it.
    if media is None or not media.version or not (allowed or can_access(user, media)):
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
        hls=rendition_url(media, master.path),
        sources=[
            Source(
                rendition_url(media, r.path),
                "audio/mp4" if r.kind == Rendition.Kind.AUDIO else "video/mp4",
                r.label,
                r.height,
            )
            for r in files
        ],
        captions=[
            Track(caption_url(track), track.language, track.label, track.kind, track.is_default)
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
    from django.utils import timezone

    from .signal_handlers import enqueue_transcode

    Media.objects.filter(pk=media.pk).update(
        status=Media.Status.PENDING, progress=0, error="", attempts=0, status_changed_at=timezone.now()
    )
    media.status, media.progress, media.error = Media.Status.PENDING, 0, ""
    enqueue_transcode(media.pk)


def get_media(media_id):
    """The media item with this id, or ``None``."""
    return Media.objects.filter(pk=media_id).first()


def captions_for(media):
    return list(CaptionTrack.objects.filter(media=media))


def page_count(document):
    """The number of pages of a PDF Wagtail document, or ``None`` if unknown (yet)."""
    info = DocumentInfo.objects.filter(document=document).first()
    return info.page_count if info else None
