"""The access policies an app above the media library registers at start-up, and their check.

media_library knows nothing of courses, so who may watch a private item, or download a
Wagtail document, is decided by one function each that another app (``lessons``) installs
in its ``AppConfig.ready``, through ``services.register_access_policy`` and
``services.register_document_access_policy``. A system check (``checks``) fails start-up
when either is missing or cannot take its arguments, rather than leaving every private item
silently refused; at run time a missing media policy still refuses (``services.can_access``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser
    from wagtail.documents.models import AbstractDocument

    from .models import Media


class AccessPolicy(Protocol):
    """``policy(user, media) -> bool``: whether ``user`` (maybe anonymous) may watch ``media``.

    Asked by the media library only about a private item and a user who does not work on it
    (``accounts.services.works_on``, asked first), on every request for a playlist, MP4 or
    caption file of it: keep it cheap (cache if not).
    """

    def __call__(self, user: AbstractBaseUser | AnonymousUser, media: Media, /) -> bool: ...


class DocumentAccessPolicy(Protocol):
    """``policy(user, document) -> bool``: whether ``user`` may download a Wagtail document.

    Asked only about users who do not work on the document (``works_on``, asked first).
    """

    def __call__(self, user: AbstractBaseUser | AnonymousUser, document: AbstractDocument, /) -> bool: ...


_registered: dict[str, AccessPolicy | DocumentAccessPolicy | None] = {"media": None, "document": None}


def _register(kind, policy):
    if policy is not None and not callable(policy):
        raise TypeError(f"The {kind} access policy must be a function (user, {kind}) -> bool, not {policy!r}")
    previous, _registered[kind] = _registered[kind], policy
    return previous


def register_access_policy(policy: AccessPolicy | None) -> AccessPolicy | None:
    """Install ``policy`` (an ``AccessPolicy``) as the rule for private media, replacing any earlier one.

    Pass ``None`` to remove it. Returns the policy it replaced, so a caller can put it back.
    """
    return _register("media", policy)


def register_document_access_policy(policy: DocumentAccessPolicy | None) -> DocumentAccessPolicy | None:
    """Install ``policy`` (a ``DocumentAccessPolicy``) for Wagtail documents (``None`` removes it).

    Checked by Wagtail's document serving view (``before_serve_document`` hook) and the
    thumbnail view before the file or its signed URL (S3, Azure Blob) is handed over.
    Without a policy, documents are served as Wagtail serves them (its collection privacy
    still applies), since existing documents and links must keep working. Returns the
    policy it replaced.
    """
    return _register("document", policy)


def access_policy() -> AccessPolicy | None:
    return _registered["media"]


def document_access_policy() -> DocumentAccessPolicy | None:
    return _registered["document"]
