"""``{% media_player media %}``: the HTML5 player (hls.js, MP4 fallback, poster, captions).

Usage, in any template::

    {% load media_library_tags %}
    {% media_player page.video %}
    {% media_player block.value.media start=position css_class="lesson-video" allowed=True %}

``media`` may be a media item or ``None``. ``start`` (seconds) resumes playback there.
``language`` is the page's (the active language unless given): its captions are the default
ones and hls.js starts on its audio track; ``language=""`` keeps the item's own defaults.
``allowed`` is the page's own access decision for the user (a lesson they may read plays
this item), which spares asking the access policy again for every player.
On a page rendered under a grant (``media_library.grants``: a share link's draft) the player
is allowed and its URLs are signed for the grant.
Users who may not watch get a neutral message; items still processing show "processing
(NN%)" to editors and a neutral message to everyone else; a failed item or any error
while rendering never breaks the page.
"""

import json
import logging

from django import template
from django.template.loader import render_to_string
from django.utils import translation

from .. import services
from ..languages import captions_for_language
from ..player_strings import player_strings

logger = logging.getLogger(__name__)
register = template.Library()


@register.simple_tag(takes_context=True)
def media_player(
    context, media, start=0, css_class="", autoplay=False, muted=False, allowed=False, language=None
):
    if media is None:
        return ""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    # A page rendered under a grant (a share link's draft) signs its players' URLs for it.
    grant = services.request_grant(request)
    try:
        # Who may watch, and who sees editors' details, asked once for the whole player.
        access = services.access(user, media, allowed=bool(allowed or grant))
        playback = services.playback_urls(media, user, allowed=access.may_watch, grant=grant)
        state = "playable" if playback else _state(media, access.may_watch)
        # The page's language (its URL's, README "Languages"): its captions are the default
        # ones, and the player asks hls.js for its audio track and speaks it.
        # ``language=""`` (the admin's preview) keeps the item's own defaults.
        language = (translation.get_language() or "") if language is None else language
        if playback:
            playback.captions = captions_for_language(playback.captions, language)
        return render_to_string(
            "media_library/player.html",
            {
                "media": media,
                "playback": playback,
                "state": state,
                "editor": access.editor,
                "start": float(start or 0),
                "css_class": css_class,
                "autoplay": autoplay,
                "muted": muted or autoplay,
                "language": language,
                "strings_json": json.dumps(player_strings()) if playback else "",
            },
            request=request,
        )
    except Exception:
        logger.exception("could not render the player for media %s", getattr(media, "pk", media))
        return render_to_string("media_library/player.html", {"media": media, "state": "unavailable"})


def _state(media, may_watch):
    if not may_watch:
        return "forbidden"
    if media.status == media.Status.FAILED:
        return "failed"
    return "processing"


@register.simple_tag(takes_context=True)
def document_url(context, document):
    """``{% document_url doc %}``: the document's download URL, signed for the page's grant if
    it is rendered under one (a share link's draft), so its reader may download it."""
    if document is None:
        return ""
    return services.document_url(document, services.request_grant(context.get("request")))


@register.simple_tag(takes_context=True)
def document_facts(context, document):
    """``{% document_facts doc as facts %}``: what the worker recorded (``page_count``,
    ``thumbnail_url``, ``thumbnail_width``, ``thumbnail_height``); empty until then. Under a
    grant (a share link's draft) the thumbnail's URL is signed for it, as the download's is."""
    if document is None:
        return services.DocumentFacts()
    try:
        return services.document_facts(document, services.request_grant(context.get("request")))
    except Exception:  # a document block must never break its page
        logger.exception("Could not read the facts of document %s", getattr(document, "pk", None))
        return services.DocumentFacts()


@register.filter
def media_status_label(media):
    """``{{ media|media_status_label }}``: "Queued", "Processing (37%)", "Ready" or "Failed"."""
    return services.status_label(media)


@register.filter
def media_is_running(media):
    return services.is_running(media)


@register.simple_tag
def unreadable_documents(documents):
    """``{% unreadable_documents object_list as problems %}``: ``[(document, reason)]`` for the
    documents the worker could not read (password, damage), for the admin's listing and chooser."""
    documents = list(documents or [])
    try:
        reasons = services.unreadable_documents(documents)
    except Exception:  # an admin listing must never break over it
        logger.exception("Could not look up unreadable documents")
        return []
    return [(document, reasons[document.pk]) for document in documents if document.pk in reasons]


@register.simple_tag
def unreadable_reason(document):
    """``{% unreadable_reason document as reason %}``: why the worker could not read it, or ""."""
    return services.unreadable_reason(document) if document is not None else ""
