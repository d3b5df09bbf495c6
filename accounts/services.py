"""What other apps may ask of the accounts app: plain functions, no views or models needed.

Everything a student owns hangs off ``auth.User`` by foreign keys with
``on_delete=CASCADE``, so deleting the user (``delete_account``) deletes it too.
"""

from django.contrib.auth import get_user_model
from django.db import transaction

from .addresses import has_verified_email, primary_email
from .emails import (
    EMAIL_KINDS,
    absolute_url,
    is_transient_email_error,
    send_notification,
    set_preference,
    unsubscribe_url,
    wants_email,
)
from .staff import is_staff, works_on

__all__ = [
    "EMAIL_KINDS",
    "absolute_url",
    "delete_account",
    "deletion_refusal",
    "display_name",
    "has_verified_email",
    "is_staff",
    "is_transient_email_error",
    "primary_email",
    "send_notification",
    "set_preference",
    "unsubscribe_url",
    "wants_email",
    "works_on",
]


def display_name(user):
    """The name to show for ``user``: their full name, else their username.

    Never the email address, so it is safe to show to other people. allauth uses it
    too (``ACCOUNT_USER_DISPLAY``). Anonymous users get an empty string.
    """
    if not getattr(user, "is_authenticated", False):
        return ""
    return user.get_full_name().strip() or user.get_username()


def deletion_refusal(user):
    """Why ``user`` may not delete their own account, or ``None`` if they may.

    The last active superuser may not: the site would be left with no one who can
    manage it. Another superuser must be created first (``manage.py createsuperuser``).
    """
    if user.is_superuser:
        others = get_user_model().objects.filter(is_superuser=True, is_active=True).exclude(pk=user.pk)
        if not others.exists():
            return (
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
