"""Notification email: HTML plus plain text, an opt-out per kind, and a signed one-click unsubscribe.

Every notification carries ``List-Unsubscribe`` (the signed URL) and
``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058), so mailbox providers
can unsubscribe with one POST and no login. The token is the user's id signed with
Django's ``SECRET_KEY`` and a salt per kind, so it cannot be altered to name another user
or reused for another kind of email.
"""

import logging
import smtplib

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .addresses import primary_email
from .languages import language_preference
from .models import EMAIL_KINDS, EmailPreferences

logger = logging.getLogger(__name__)

ONE_CLICK = "List-Unsubscribe=One-Click"


def _salt(kind):
    return f"ringlet.unsubscribe.{kind}"


def unsubscribe_token(user, kind):
    """A signed token naming ``user`` for unsubscribing from ``kind`` (and nothing else)."""
    if kind not in EMAIL_KINDS:
        raise ValueError(f"Unknown email kind {kind!r}")
    return signing.dumps(user.pk, salt=_salt(kind))


def user_id_from_token(token, kind):
    """The user id a token for ``kind`` names, or None if it is forged, altered or for another kind.

    Tokens do not expire: a link in an old email must still unsubscribe.
    """
    if kind not in EMAIL_KINDS:
        return None
    try:
        value = signing.loads(token, salt=_salt(kind))
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def absolute_url(path):
    """``path`` on the site's public base URL (``WAGTAILADMIN_BASE_URL``), for links in emails."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def unsubscribe_url(user, kind):
    return absolute_url(reverse("accounts_unsubscribe", args=[kind, unsubscribe_token(user, kind)]))


def wants_email(user, kind):
    """Whether ``user`` still wants emails of ``kind`` (yes unless they opted out)."""
    preferences = EmailPreferences.objects.filter(user=user).first()
    return preferences is None or getattr(preferences, kind)


def set_preference(user, kind, wanted):
    """Opt ``user`` in to or out of ``kind``; idempotent."""
    if kind not in EMAIL_KINDS:
        raise ValueError(f"Unknown email kind {kind!r}")
    preferences, _ = EmailPreferences.objects.get_or_create(user=user)
    if getattr(preferences, kind) != wanted:
        setattr(preferences, kind, wanted)
        preferences.save(update_fields=[kind, "updated_at"])
    return preferences


def build_notification(user, kind, subject, template, context, to, attachments=()):
    """The email message: ``<template>.txt`` and ``<template>.html``, with the unsubscribe headers."""
    link = unsubscribe_url(user, kind)
    context = {**context, "user": user, "unsubscribe_url": link, "kind_label": EMAIL_KINDS[kind]}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        to=[to],
        headers={"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": ONE_CLICK},
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    return message


def send_notification(user, kind, subject, template, context, attachments=(), language=None):
    """Send a notification of ``kind`` to ``user``'s primary address, unless they opted out.

    Written in ``user``'s own language (their account's, README "Languages"), else in
    ``language`` (the caller's: a course's), else the site's default; ``subject`` may be lazy
    (``gettext_lazy``, ``format_lazy``), to be put in that language too.
    Returns whether it was sent. ``attachments`` are ``(filename, bytes, mimetype)``.
    """
    to = primary_email(user)
    if not to or not wants_email(user, kind):
        return False
    with translation.override(language_preference(user) or language or settings.LANGUAGE_CODE):
        message = build_notification(user, kind, str(subject), template, context, to, attachments)
    message.send()
    return True


def is_transient_email_error(error):
    """Whether sending failed for a reason that may pass, so that trying again later may work:
    the mail server unreachable, too slow (``EMAIL_TIMEOUT``), gone mid-conversation, or
    answering 4xx ("try again later"). A 5xx refusal (an unknown recipient, bad credentials)
    would only repeat, and is not transient."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return False
    # Timeouts, refused or reset connections, SMTPServerDisconnected: all OSError.
    return isinstance(error, OSError)


def retry_if_transient(task, error):
    """Retry the Celery ``task`` after ``error`` if the mail server may recover (back-off
    ``EMAIL_RETRY_BACKOFF`` seconds, doubling up to ``TASK_RETRY_BACKOFF_MAX``); re-raise anything else."""
    if not is_transient_email_error(error):
        raise error
    countdown = min(settings.EMAIL_RETRY_BACKOFF * 2**task.request.retries, settings.TASK_RETRY_BACKOFF_MAX)
    logger.warning(
        "%s: the mail server failed (%s: %s); retrying in %d s",
        task.name,
        type(error).__name__,
        error,
        countdown,
    )
    raise task.retry(exc=error, countdown=countdown)


def message_to_dict(message):
    """A rendered email without attachments as JSON-ready data (for the outbox), and back
    with :func:`message_from_dict`."""
    return {
        "subject": message.subject,
        "body": message.body,
        "content_subtype": message.content_subtype,
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "alternatives": [[content, mimetype] for content, mimetype in getattr(message, "alternatives", [])],
    }


def message_from_dict(data):
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
    )
    message.content_subtype = data["content_subtype"]
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    return message


def send_now_or_later(message, defer):
    """Send ``message`` (no attachments) from a request: at once, giving the mail server
    ``EMAIL_REQUEST_TIMEOUT`` seconds; if it is down, slow or says "try again later", call
    ``defer(message_to_dict(message))`` (which writes it to the outbox for a worker to send
    with retries) instead of failing the request. Returns whether it was sent now. A permanent
    refusal (5xx) is raised, as before: retrying would not help.
    """
    message.connection = get_connection(timeout=settings.EMAIL_REQUEST_TIMEOUT)
    try:
        message.send()
    except Exception as error:
        if not is_transient_email_error(error):
            raise
        logger.warning(
            "email %r to %s: the mail server failed (%s: %s); a worker will send it",
            message.subject,
            ", ".join(message.to),
            type(error).__name__,
            error,
        )
        defer(message_to_dict(message))
        return False
    return True
