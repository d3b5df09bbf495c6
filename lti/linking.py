"""Ringlet accounts for platform users: one account per (issuer, sub), never merged by email.

The first launch (or roster sync) of a platform user creates their account with the name and
email address the platform shares. An address another account already uses is not given to the
new account (and nothing is merged): the platform's word is not proof of owning an address,
and matching by email would hand an existing account to whoever controls a platform's
registration. LTI accounts have no usable password, so they cannot log in with one until their
owner sets one (``/accounts/password/set/``, then email verification as for everyone).
"""

import hashlib
import logging

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Identity

logger = logging.getLogger(__name__)


def _username(issuer, sub):
    return "lti-" + hashlib.sha256(f"{issuer}\n{sub}".encode()).hexdigest()[:24]


def _names(person):
    given, family = (person.get("given_name") or "").strip(), (person.get("family_name") or "").strip()
    if not (given or family) and person.get("name"):
        given, _, family = person["name"].strip().partition(" ")
    return given[:150], family[:150]


def _address_taken(email):
    users = get_user_model().objects
    return (
        EmailAddress.objects.filter(email__iexact=email).exists()
        or users.filter(email__iexact=email).exists()
    )


def _create_user(issuer, sub, person):
    given, family = _names(person)
    email = (person.get("email") or "").strip()
    free = bool(email) and not _address_taken(email)
    user = get_user_model()(username=_username(issuer, sub), first_name=given, last_name=family)
    user.email = email if free else ""
    user.set_unusable_password()
    user.save()
    if free:
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
    elif email:
        logger.info(
            "LTI account %s created without the address the platform shared: another account uses it "
            "(accounts are never merged by email)",
            user.pk,
        )
    return user


def account_for(platform, person, launched=True):
    """The user linked to ``person`` (a dict with ``sub``, and ``name``, ``given_name``,
    ``family_name``, ``email`` when the platform shares them) of ``platform``, created on first sight.
    ``launched``: the person is launching now (a roster sync passes False).

    Returns ``(user, created)``.
    """
    issuer, sub = platform.issuer, str(person["sub"])
    shared = {"email": (person.get("email") or "")[:254], "name": (person.get("name") or "")[:255]}
    if launched:
        shared["last_launch_at"] = timezone.now()
    identity = Identity.objects.filter(issuer=issuer, sub=sub).select_related("user").first()
    if identity is not None:
        Identity.objects.filter(pk=identity.pk).update(platform=platform, **shared)
        return identity.user, False
    try:
        with transaction.atomic():
            user = _create_user(issuer, sub, person)
            Identity.objects.create(issuer=issuer, sub=sub, user=user, platform=platform, **shared)
    except IntegrityError:
        # Two first launches at once: the other one made the account.
        return Identity.objects.select_related("user").get(issuer=issuer, sub=sub).user, False
    logger.info("LTI account %s created for sub %r of %s", user.pk, sub, issuer)
    return user, True


def sub_of(user, issuer):
    """The ``sub`` of ``user`` at ``issuer`` (for AGS scores), or None."""
    return Identity.objects.filter(user=user, issuer=issuer).values_list("sub", flat=True).first()
