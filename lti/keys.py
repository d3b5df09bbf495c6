"""The tool's own signing keys: RS256 key pairs kept in the database, rotated by a command.

The newest key that is not retired signs everything Ringlet sends a platform (deep linking
responses, the client assertions of token requests); the JWKS endpoint publishes it and every
key retired less than ``LTI_KEY_RETIRED_DAYS`` ago, so a platform's cached copy of the JWKS
still verifies what was signed just before a rotation.
"""

import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from joserfc import jwt
from joserfc.jwk import RSAKey

from .models import ToolKey

ALGORITHM = "RS256"


def _new_key():
    key = RSAKey.generate_key(2048, private=True)
    kid = uuid.uuid4().hex
    pem = key.as_pem(private=True).decode()
    return ToolKey.objects.create(kid=kid, private_key_pem=pem)


def signing_key():
    """The current ToolKey, made on first use (so a fresh install needs no command).

    Call it outside a transaction when a platform will fetch the JWKS while the caller's
    transaction is still open (the key would not be visible to the JWKS view yet)."""
    key = ToolKey.objects.filter(retired_at__isnull=True).first()
    if key is None:
        with transaction.atomic():
            # One key even if two requests make the first one at once.
            ToolKey.objects.select_for_update().filter(retired_at__isnull=True).first()
            key = ToolKey.objects.filter(retired_at__isnull=True).first() or _new_key()
    return key


def published_keys():
    """Keys in the JWKS: the current one and those retired within the grace period."""
    signing_key()
    since = timezone.now() - timedelta(days=settings.LTI_KEY_RETIRED_DAYS)
    return ToolKey.objects.filter(retired_at__isnull=True) | ToolKey.objects.filter(retired_at__gte=since)


def public_jwk(tool_key):
    key = RSAKey.import_key(tool_key.private_key_pem)
    return key.as_dict(private=False, kid=tool_key.kid, alg=ALGORITHM, use="sig")


def jwks():
    """The tool's public JWKS, as served at ``/lti/jwks/``."""
    return {"keys": [public_jwk(key) for key in published_keys().order_by("-created_at")]}


def rotate():
    """Make a new signing key and retire the current one(s); delete keys retired past the grace
    period. Returns the new ToolKey."""
    with transaction.atomic():
        now = timezone.now()
        ToolKey.objects.filter(retired_at__isnull=True).update(retired_at=now)
        new = _new_key()
        ToolKey.objects.filter(retired_at__lt=now - timedelta(days=settings.LTI_KEY_RETIRED_DAYS)).delete()
    return new


def sign(claims, lifetime=300, headers=None):
    """``claims`` signed with the current key (RS256, its kid in the header), with iat and exp."""
    tool_key = signing_key()
    now = int(time.time())
    payload = {"iat": now, "exp": now + lifetime, **claims}
    header = {"alg": ALGORITHM, "kid": tool_key.kid, **(headers or {})}
    return jwt.encode(header, payload, RSAKey.import_key(tool_key.private_key_pem), algorithms=[ALGORITHM])
