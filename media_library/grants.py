"""Grants: media and document URLs signed for the reader of one rendered page, whoever they are.

A share link's reviewer has no account, so the viewer's own access (``services.can_access``)
refuses the media of the draft they were sent. A page rendered under a grant instead
(``request.media_grant``, a ``Grant``, set by whoever renders it: the sharing app for
``/share/<token>/``) hands out URLs for the media items, captions and documents it shows
with ``?grant=<kind>-<key>.<expires>.<signature>`` appended. The signature is an HMAC
(Django's ``salted_hmac``, keyed by SECRET_KEY) of the grant and the one item, so it opens
that item only: an item the page did not show has no signature, and another item, a later
expiry or another grant fails the check.

The serving views (``views.rendition``, ``views.caption``, the document hook) accept a valid
signature in place of the viewer's own access, after asking the check registered for the
grant's kind whether it still stands (for "share": the link is not revoked, expired or
deleted): one query, on every playlist, MP4, caption and document request.

Lifetime: a grant lasts until its expiry (the share link's) and ends as soon as its check
says no, for those requests. Variant playlists and segments already handed out are signed
URLs of their own (``signing``): they keep playing until they expire, within
``MEDIA_SIGNED_URL_SECONDS`` (300 s by default); a file redirected to an object store (S3,
Azure Blob) keeps that store's URL lifetime. That is how long a revoked share link can
still stream what it was given.
"""

import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.crypto import constant_time_compare, salted_hmac

PARAM = "grant"
_SALT = "media_library.grants"
KIND = r"[a-z]{1,20}"
_VALUE = re.compile(rf"^({KIND})-([A-Za-z0-9_]{{1,64}})\.(\d{{1,12}})\.([0-9a-f]{{32}})$")

# ``check(key) -> bool``: whether the grants of one kind with ``key`` still stand.
GrantCheck = Callable[[str], bool]
_checks: dict[str, GrantCheck] = {}


@dataclass(frozen=True)
class Grant:
    """Who grants (``kind``, with a check registered for it, and ``key``, what the check is
    asked about, e.g. a share link's id) and until when (``expires``, a Unix time)."""

    kind: str
    key: str
    expires: int


def register_grant_check(kind: str, check: GrantCheck | None) -> GrantCheck | None:
    """Install ``check(key) -> bool``: whether grants of ``kind`` with ``key`` still stand.

    Called by the app that makes such grants, at start-up (``AppConfig.ready``); ``kind`` is
    1 to 20 lowercase letters (it travels in the URL). A grant of a kind with no check grants
    nothing. ``None`` removes the check. Returns the check it replaced.
    """
    if check is not None and not callable(check):
        raise TypeError(f"The check of {kind!r} grants must be a function (key) -> bool, not {check!r}")
    previous = _checks.pop(kind, None)
    if check is not None:
        _checks[kind] = check
    return previous


def registered_checks() -> dict[str, GrantCheck]:
    """The kinds with a check, and their checks (for the start-up check, ``checks``)."""
    return dict(_checks)


def _signature(grant, item_kind, item_pk):
    message = f"{grant.kind}:{grant.key}:{int(grant.expires)}:{item_kind}:{int(item_pk)}"
    return salted_hmac(_SALT, message, algorithm="sha256").hexdigest()[:32]


def with_grant(url, grant, item_kind, item_pk):
    """``url`` with the grant's signature for one item (``item_kind`` "media" or "document")
    appended, or ``url`` itself without a grant."""
    if grant is None or url is None:
        return url
    value = f"{grant.kind}-{grant.key}.{int(grant.expires)}.{_signature(grant, item_kind, item_pk)}"
    return f"{url}{'&' if '?' in url else '?'}{PARAM}={value}"


def allows(request, item_kind, item_pk, now=None):
    """Whether ``request`` carries a valid, unexpired grant for this item that still stands."""
    match = _VALUE.match(request.GET.get(PARAM, ""))
    if match is None:
        return False
    kind, key, expires, signature = match.groups()
    grant = Grant(kind, key, int(expires))
    if grant.expires < (now if now is not None else time.time()):
        return False
    if not constant_time_compare(signature, _signature(grant, item_kind, item_pk)):
        return False
    check = _checks.get(kind)
    return bool(check is not None and check(key))


def request_grant(request):
    """The grant the page being rendered for ``request`` is under, or None."""
    return getattr(request, "media_grant", None)
