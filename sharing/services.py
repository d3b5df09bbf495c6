"""Creating, finding and revoking share links; other apps and views come through here."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.utils import dateformat, timezone
from django.utils.translation import gettext

from media_library.services import Grant

from .models import ShareLink

# The media library's grant kind for share links (``media_library.grants``).
GRANT_KIND = "share"


class LinkRefused(Exception):
    """A token that opens nothing: ``status`` is 404 (unknown) or 410 (expired, revoked, deleted)."""

    def __init__(self, message, status):
        super().__init__(message)
        self.status = status


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


def may_share(user, page):
    """Whether ``user`` may make or revoke links to ``page``: whoever may edit it in Wagtail
    (editors everywhere, a course's instructors in their course)."""
    return bool(user.is_authenticated and page.permissions_for_user(user).can_edit())


def create_link(page, user, days=None):
    """A new link to ``page``'s latest draft, valid ``days`` (default ``SHARE_LINK_DAYS``).

    Returns ``(link, token)``; the token is not stored and cannot be shown again.
    """
    days = settings.SHARE_LINK_DAYS if days is None else days
    token = secrets.token_urlsafe(32)
    link = ShareLink.objects.create(
        token_hash=hash_token(token),
        page=page,
        page_title=page.get_latest_revision_as_object().title[:255],
        created_by=user,
        expires_at=timezone.now() + timedelta(days=days),
    )
    return link, token


def revoke(link, user):
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.revoked_by = user
        link.save(update_fields=["revoked_at", "revoked_by"])
    return link


def open_link(token):
    """The ShareLink ``token`` opens, or LinkRefused saying why not."""
    if not token or len(token) > 200:
        raise LinkRefused(gettext("This share link is not valid."), 404)
    link = ShareLink.objects.select_related("page").filter(token_hash=hash_token(token)).first()
    if link is None:
        raise LinkRefused(gettext("This share link is not valid. Check that you copied all of it."), 404)
    status = link.status()
    if status == "revoked":
        raise LinkRefused(gettext("This share link has been revoked. Ask for a new one."), 410)
    if status == "expired":
        expired = timezone.localtime(link.expires_at)
        message = gettext("This share link expired on %(date)s at %(time)s. Ask for a new one.")
        when = {"date": dateformat.format(expired, "d F Y"), "time": dateformat.format(expired, "H:i")}
        raise LinkRefused(message % when, 410)
    if status == "deleted":
        raise LinkRefused(gettext("The page this link showed has been deleted."), 410)
    return link


def media_grant(link):
    """The grant under which ``link``'s page is rendered: its media, captions and documents get
    URLs signed for the link, which the media views accept until the link expires or is
    revoked (``link_grants``), whoever opens them."""
    return Grant(GRANT_KIND, str(link.pk), int(link.expires_at.timestamp()))


def link_grants(key):
    """Whether the share link with id ``key`` still grants its page's media: the check the
    media library asks on every playlist, caption and document request under its grant
    (one query), so revoking or expiring a link ends it at once for those."""
    if not key.isdigit():
        return False
    now = timezone.now()
    return ShareLink.objects.filter(
        pk=int(key), revoked_at__isnull=True, page__isnull=False, expires_at__gt=now
    ).exists()
