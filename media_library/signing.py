"""Short-lived signed URLs for the files of one media version: served with no database query.

A playlist granted by the permission-checked view (``views.rendition``) comes back with
its URIs rewritten to ``/media-files/signed/<expires>/<token>/<media>/<version>/<path>``.
The token is an HMAC (Django's ``salted_hmac``, keyed by SECRET_KEY) of the media id, the
version and the expiry, so it covers every variant playlist and segment of that version
(relative URIs in the variant playlists resolve under the same signed prefix) and
nothing else: another media item, another version or a later expiry fails the check.

Lifetime: ``MEDIA_SIGNED_URL_SECONDS`` (default 300). That is how long a revoked enrollment
may keep streaming the files it was already granted; the next playlist request asks the
access policy again. The player asks for a fresh playlist when a signed URL has expired.
"""

import posixpath
import re
import time

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

_SALT = "media_library.signing"
_URI_ATTRIBUTE = re.compile(r'URI="([^"]*)"')


def token(media_id, version, expires):
    """The signature of ``media_id``'s ``version`` until ``expires`` (a Unix time)."""
    return salted_hmac(_SALT, f"{int(media_id)}:{version}:{int(expires)}", algorithm="sha256").hexdigest()[
        :32
    ]


def expiry(now=None):
    """The Unix time a signature made now stops working."""
    return int(now if now is not None else time.time()) + settings.MEDIA_SIGNED_URL_SECONDS


def signed_prefix(media_id, version, expires=None):
    """The URL path prefix under which the files of ``media_id``'s ``version`` are signed."""
    expires = expires if expires is not None else expiry()
    kwargs = {"expires": expires, "signature": token(media_id, version, expires), "media_id": media_id}
    url = reverse("media_library:signed_rendition", kwargs={**kwargs, "version": version, "path": "-"})
    return url[:-1]


def is_valid(media_id, version, expires, signature, now=None):
    """Whether ``signature`` signs ``media_id``'s ``version`` until ``expires``, and that is still ahead."""
    now = now if now is not None else time.time()
    if int(expires) < now:
        return False
    return constant_time_compare(signature, token(media_id, version, expires))


def _signed_uri(uri, prefix, playlist_dir):
    if not uri or "://" in uri or uri.startswith(("/", "data:")):
        return uri
    return prefix + posixpath.normpath(posixpath.join(playlist_dir, uri))


def sign_playlist(text, media_id, version, playlist_path, expires=None):
    """``text`` (an HLS playlist at ``playlist_path`` in the version) with its relative URIs
    (variant playlists, segments, ``URI="…"`` attributes) pointing at signed URLs."""
    prefix = signed_prefix(media_id, version, expires)
    playlist_dir = posixpath.dirname(playlist_path)
    lines = []
    for line in text.splitlines():
        if line.startswith("#"):
            line = _URI_ATTRIBUTE.sub(
                lambda m: f'URI="{_signed_uri(m.group(1), prefix, playlist_dir)}"', line
            )
        elif line.strip():
            line = _signed_uri(line.strip(), prefix, playlist_dir)
        lines.append(line)
    return "\n".join(lines) + "\n"


def sign_thumbnails(text, media_id, version, vtt_path, expires=None):
    """A seek-preview map (WebVTT whose cue payloads are ``sprite-001.jpg#xywh=…``) with each
    relative image URI pointing at a signed URL, as :func:`sign_playlist` does for playlists:
    the sprites then load with no database query, and under a grant too."""
    prefix = signed_prefix(media_id, version, expires)
    vtt_dir = posixpath.dirname(vtt_path)
    lines = []
    for line in text.splitlines():
        if line.strip() and line != "WEBVTT" and "-->" not in line:
            uri, hash_, fragment = line.strip().partition("#")
            line = _signed_uri(uri, prefix, vtt_dir) + hash_ + fragment
        lines.append(line)
    return "\n".join(lines) + "\n"
