"""``{% media_player media %}``: the HTML5 player (hls.js, MP4 fallback, poster, captions).

Usage, in any template::

    {% load media_library_tags %}
    {% media_player page.video %}
    {% media_player block.value.media start=position css_class="lesson-video" allowed=True %}

``media`` may be a media item or ``None``. ``start`` (seconds) resumes playback there.
``allowed`` is the page's own access decision for the user (a lesson they may read plays
this item), which spares asking the access policy again for every player.
Users who may not watch get a neutral message; items still processing show "processing
(NN%)" to editors and a neutral message to everyone else; a failed item or any error
while rendering never breaks the page.
"""

import logging

from django import template
from django.template.loader import render_to_string

from .. import services

logger = logging.getLogger(__name__)
register = template.Library()


@register.simple_tag(takes_context=True)
def media_player(context, media, start=0, css_class="", autoplay=False, muted=False, allowed=False):
    if media is None:
        return ""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    try:
        playback = services.playback_urls(media, user, allowed=bool(allowed))
        state = "playable" if playback else _state(media, user, allowed)
        return render_to_string(
            "media_library/player.html",
            {
                "media": media,
                "playback": playback,
                "state": state,
                "editor": services.is_editor(user),
                "start": float(start or 0),
                "css_class": css_class,
                "autoplay": autoplay,
                "muted": muted or autoplay,
            },
            request=request,
        )
    except Exception:
        logger.exception("could not render the player for media %s", getattr(media, "pk", media))
        return render_to_string("media_library/player.html", {"media": media, "state": "unavailable"})


def _state(media, user, allowed=False):
    if not (allowed or services.can_access(user, media)):
        return "forbidden"
    if media.status == media.Status.FAILED:
        return "failed"
    return "processing"


@register.simple_tag
def document_facts(document):
    """``{% document_facts doc as facts %}``: what the worker recorded (``page_count``,
    ``thumbnail_url``, ``thumbnail_width``, ``thumbnail_height``); empty until then."""
    if document is None:
        return services.DocumentFacts()
    try:
        return services.document_facts(document)
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
