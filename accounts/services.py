"""What other apps may ask of the accounts app: plain functions, no views or models needed.

Everything a student owns hangs off ``auth.User`` by foreign keys with
``on_delete=CASCADE``, so deleting the user (``delete_account``) deletes it too.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext

from .addresses import has_verified_email, primary_email
from .emails import (
    EMAIL_KINDS,
    absolute_url,
    is_transient_email_error,
    retry_if_transient,
    send_notification,
    set_preference,
    unsubscribe_url,
    wants_email,
)
from .languages import language_preference, session_language, set_language_preference
from .models import CertificateName
from .staff import is_staff, works_on
from .user_answers import forget_for_user, remember_for_user

__all__ = [
    "EMAIL_KINDS",
    "absolute_url",
    "certificate_name",
    "certificate_name_locked",
    "delete_account",
    "deletion_refusal",
    "display_name",
    "forget_for_user",
    "has_verified_email",
    "is_staff",
    "is_transient_email_error",
    "language_preference",
    "primary_email",
    "register_certificate_name_lock",
    "remember_for_user",
    "retry_if_transient",
    "send_notification",
    "session_language",
    "set_certificate_name",
    "set_language_preference",
    "set_preference",
    "unsubscribe_url",
    "wants_email",
    "works_on",
]


def display_name(user):
    """The name to show for ``user``: their full name, else the name they gave for their
    certificates, else their username.

    Never the email address, so it is safe to show to other people. allauth uses it
    too (``ACCOUNT_USER_DISPLAY``). Anonymous users get an empty string.
    """
    if not getattr(user, "is_authenticated", False):
        return ""
    return user.get_full_name().strip() or _stored_certificate_name(user) or user.get_username()


def _stored_certificate_name(user):
    if user.pk is None:
        return ""
    try:
        return user.name_on_certificates.name.strip()
    except CertificateName.DoesNotExist:
        return ""


def certificate_name(user):
    """The name to print on ``user``'s certificates: the one they gave (at sign-up or on their
    account page), else their full name, else their username."""
    return _stored_certificate_name(user) or user.get_full_name().strip() or user.get_username()


def set_certificate_name(user, name):
    """Record ``name`` as the name on ``user``'s certificates (stripped; blank removes it).

    The caller decides whether it may change (``certificate_name_locked``): the account page
    asks, an editor reissuing a certificate does not.
    """
    name = " ".join(name.split())
    if not name:
        CertificateName.objects.filter(user=user).delete()
    else:
        CertificateName.objects.update_or_create(user=user, defaults={"name": name})
    # The user object may hold the old row from an earlier read.
    user._state.fields_cache.pop("name_on_certificates", None)


_name_lock = None


def register_certificate_name_lock(check):
    """Install ``check(user) -> bool``: whether a certificate already carries ``user``'s name
    (the courses app, which issues them, registers it at start-up). Returns the one it replaced."""
    global _name_lock
    previous, _name_lock = _name_lock, check
    return previous


def certificate_name_locked(user):
    """Whether ``user``'s certificate name is fixed: a certificate carries it, so only an editor
    reissuing that certificate may correct it."""
    return bool(_name_lock is not None and user.pk is not None and _name_lock(user))


def deletion_refusal(user):
    """Why ``user`` may not delete their own account, or ``None`` if they may.

    The last active superuser may not: the site would be left with no one who can
    manage it. Another superuser must be created first (``manage.py createsuperuser``).
    """
    if user.is_superuser:
        others = get_user_model().objects.filter(is_superuser=True, is_active=True).exclude(pk=user.pk)
        if not others.exists():
            return gettext(
                "You are the only administrator of this site, so your account cannot be "
                "deleted. Make someone else an administrator first."
            )
    return None


@transaction.atomic
def delete_account(user):
    """Delete ``user`` and every piece of personal data attached to them.

    The database cascades to allauth's email addresses, social accounts and tokens,
    recorded sessions, and any other app's rows that point at the user; a ``pre_delete``
    handler (``signal_handlers.end_sessions``) ends all of their sessions, so other
    browsers are logged out too. Callers check ``deletion_refusal`` first and log the
    current request out themselves.
    """
    user.delete()
