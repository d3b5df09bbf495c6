"""Short-lived signed URLs for the files of one media version: served with no database query.

A playlist granted by the permission-checked view (``views.rendition``) comes back with
its URIs rewritten to ``/media-files/signed/<expires>/<token>/<media>/<version>/<path>``.
The token is an HMAC (Django's ``salted_hmac``, keyed by SECRET_KEY) of the media id, the
version and the expiry, so it covers every variant playlist and segment of that version
(relative URIs in the variant playlists resolve under the same signed prefix) and
nothing else: another media item, another version or a later expiry fails the check.

Two schemes, one chosen by ``MEDIA_SIGNED_AT_EDGE``:
- Python (the default; ``make run`` and wherever no edge tier serves the files):
  ``/media-files/signed/<expires>/<token>/...`` as above, checked by ``views.signed_rendition``.
- The edge (``MEDIA_SIGNED_AT_EDGE`` on, with the edge's key ``MEDIA_EDGE_SIGNING_KEY``):
  ``/media-files/edge/<expires>/<md5>/<media>/<version>/<path>``, which nginx checks itself
  with its ``secure_link`` module (``deploy/edge/nginx.conf.template``) and serves from the
  media volume: no Python process sees the request. ``<md5>`` is the unpadded base64url MD5
  of ``"<expires>:<media>:<version>:<key>"``, the only form ``secure_link_md5`` computes.
  MD5 is what nginx offers; the key (at least 32 random characters) is never sent, and the
  signed string has a fixed shape of digits and a version name, so neither a collision nor a
  length extension makes a URL for another item, version or expiry. Should such a URL reach
  Django (no edge in front), ``views.edge_signed_rendition`` checks it the same way.

Lifetime: ``MEDIA_SIGNED_URL_SECONDS`` (default 300). That is how long a revoked enrollment
may keep streaming the files it was already granted; the next playlist request asks the
access policy again. The player asks for a fresh playlist when a signed URL has expired.
"""

import base64
import hashlib
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


def edge_token(media_id, version, expires, key=None):
    """The edge's signature of ``media_id``'s ``version`` until ``expires``: what nginx's
    ``secure_link_md5 "$expires:$media:$version:<key>"`` computes, base64url without padding."""
    key = key if key is not None else settings.MEDIA_EDGE_SIGNING_KEY
    text = f"{int(expires)}:{int(media_id)}:{version}:{key}"
    digest = hashlib.md5(text.encode(), usedforsecurity=False).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def signed_prefix(media_id, version, expires=None):
    """The URL path prefix under which the files of ``media_id``'s ``version`` are signed:
    for the edge with ``MEDIA_SIGNED_AT_EDGE``, for ``views.signed_rendition`` otherwise."""
    expires = expires if expires is not None else expiry()
    if settings.MEDIA_SIGNED_AT_EDGE:
        name, signature = "media_library:edge_signed_rendition", edge_token(media_id, version, expires)
    else:
        name, signature = "media_library:signed_rendition", token(media_id, version, expires)
    kwargs = {"expires": expires, "signature": signature, "media_id": media_id}
    url = reverse(name, kwargs={**kwargs, "version": version, "path": "-"})
    return url[:-1]


def is_valid(media_id, version, expires, signature, now=None):
    """Whether ``signature`` signs ``media_id``'s ``version`` until ``expires``, and that is still ahead."""
    now = now if now is not None else time.time()
    if int(expires) < now:
        return False
    return constant_time_compare(signature, token(media_id, version, expires))


def is_valid_at_edge(media_id, version, expires, signature, now=None):
    """``is_valid`` for the edge's scheme (a URL meant for the edge that reached Django)."""
    now = now if now is not None else time.time()
    if int(expires) < now or not settings.MEDIA_EDGE_SIGNING_KEY:
        return False
    return constant_time_compare(signature, edge_token(media_id, version, expires))


def _signed_uri(uri, prefix, playlist_dir, direct=None):
    if not uri or "://" in uri or uri.startswith(("/", "data:")):
        return uri
    path = posixpath.normpath(posixpath.join(playlist_dir, uri))
    if direct is not None and not path.endswith(".m3u8"):
        return direct(path)
    return prefix + path


def sign_playlist(text, media_id, version, playlist_path, expires=None, direct=None):
    """``text`` (an HLS playlist at ``playlist_path`` in the version) with its relative URIs
    (variant playlists, segments, ``URI="…"`` attributes) pointing at signed URLs.

    ``direct``: for files in an object store, a function from a path in the version to the
    store's own presigned URL (``direct_urls``); segments and other non-playlist files then
    point there, so that no request for them reaches Python. Playlists stay under the signed
    prefix either way."""
    prefix = signed_prefix(media_id, version, expires)
    playlist_dir = posixpath.dirname(playlist_path)
    return _rewrite_playlist(text, lambda uri: _signed_uri(uri, prefix, playlist_dir, direct))


def _rewrite_playlist(text, rewrite):
    lines = []
    for line in text.splitlines():
        if line.startswith("#"):
            line = _URI_ATTRIBUTE.sub(lambda m: f'URI="{rewrite(m.group(1))}"', line)
        elif line.strip():
            line = rewrite(line.strip())
        lines.append(line)
    return "\n".join(lines) + "\n"


def direct_playlist(text, playlist_path, direct):
    """A playlist already under the signed prefix (its relative URIs resolve there) with its
    non-playlist URIs pointing at the object store's presigned URLs (``direct``)."""
    playlist_dir = posixpath.dirname(playlist_path)

    def rewrite(uri):
        if not uri or "://" in uri or uri.startswith(("/", "data:")) or uri.split("?")[0].endswith(".m3u8"):
            return uri
        return direct(posixpath.normpath(posixpath.join(playlist_dir, uri)))

    return _rewrite_playlist(text, rewrite)


def direct_urls(storage, version_prefix, expires):
    """For a storage with no local path (S3, Azure Blob): a function from a path in the version
    under ``version_prefix`` to the store's presigned URL, valid until ``expires`` (the signed
    prefix's own expiry, so a revoked enrollment loses the files at the same moment)."""
    lifetime = max(1, int(expires) - int(time.time()))
    return lambda path: storage.url(posixpath.join(version_prefix, path), expire=lifetime)


def sign_thumbnails(text, media_id, version, vtt_path, expires=None, direct=None):
    """A seek-preview map (WebVTT whose cue payloads are ``sprite-001.jpg#xywh=…``) with each
    relative image URI pointing at a signed URL, as :func:`sign_playlist` does for playlists:
    the sprites then load with no database query, and under a grant too."""
    prefix = signed_prefix(media_id, version, expires)
    vtt_dir = posixpath.dirname(vtt_path)
    lines = []
    for line in text.splitlines():
        if line.strip() and line != "WEBVTT" and "-->" not in line:
            uri, hash_, fragment = line.strip().partition("#")
            line = _signed_uri(uri, prefix, vtt_dir, direct) + hash_ + fragment
        lines.append(line)
    return "\n".join(lines) + "\n"
