"""LTI Dynamic Registration 1.0, for platforms that offer it (Moodle 4.1+, Canvas, Brightspace...).

An administrator makes a one-time registration URL (Settings > LTI platforms, or
``manage.py lti_registration_url``) and pastes it into the platform. The platform opens it with
``openid_configuration`` and ``registration_token``; Ringlet reads the platform's configuration,
posts its own (redirect URI, login URL, JWKS URL, scopes, the deep linking placement) to the
platform's registration endpoint, and records the platform and the deployment it answers with.
The one-time token is what authorises it: an unknown platform cannot register itself.
"""

import hashlib
import logging
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from . import claims as c
from .launch import Refused
from .models import Deployment, Platform, RegistrationInvite

logger = logging.getLogger(__name__)
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def create_invite(user=None, days=7):
    """A new invite; returns ``(invite, token)``. Only the token's hash is stored."""
    token = secrets.token_urlsafe(32)
    invite = RegistrationInvite.objects.create(
        token_hash=_hash(token), created_by=user, expires_at=timezone.now() + timedelta(days=days)
    )
    return invite, token


def tool_configuration(urls, name):
    """The registration request Ringlet posts (Dynamic Registration §3.5.2)."""
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": urls["login"],
        "redirect_uris": [urls["launch"]],
        "client_name": name,
        "jwks_uri": urls["jwks"],
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join([c.SCOPE_LINEITEM, c.SCOPE_SCORE, c.SCOPE_RESULT, c.SCOPE_NRPS]),
        TOOL_CONFIGURATION: {
            "domain": urlsplit(urls["launch"]).netloc,
            "target_link_uri": urls["launch"],
            "claims": ["iss", "sub", "name", "given_name", "family_name", "email"],
            "messages": [
                {"type": c.DEEP_LINKING_REQUEST, "target_link_uri": urls["launch"], "label": name},
                {"type": c.RESOURCE_LINK_REQUEST, "target_link_uri": urls["launch"]},
            ],
        },
    }


def _refuse(message, reason):
    return Refused(gettext("The registration did not complete"), message, reason, status=400)


def _get_json(url, what, unreadable, **kwargs):
    """The JSON at ``url``; ``what`` names it in the log, ``unreadable`` (a sentence with
    ``%(error)s``) tells the reader it could not be read."""
    try:
        response = requests.request(
            kwargs.pop("method", "GET"), url, timeout=settings.LTI_HTTP_TIMEOUT, **kwargs
        )
        response.raise_for_status()
        return response.json()
    except (requests.RequestException, ValueError) as error:
        raise _refuse(
            unreadable % {"error": error},
            f"{what} at {url}: {error}",
        ) from error


def register(token, openid_configuration_url, registration_token, urls, name):
    """Register with the platform; returns the Platform. Raises Refused with the reason."""
    with transaction.atomic():
        invite = RegistrationInvite.objects.select_for_update().filter(token_hash=_hash(token or "")).first()
        if invite is None or invite.used_at or invite.expires_at < timezone.now():
            raise Refused(
                gettext("This registration link is not valid"),
                gettext(
                    "The link is unknown, used already or expired. Ask Ringlet's administrator for a new one."
                ),
                "dynamic registration with an unknown, used or expired invite",
            )
        if not openid_configuration_url:
            raise _refuse(
                gettext("The platform did not send its configuration URL."), "no openid_configuration"
            )
        config = _get_json(
            openid_configuration_url,
            "configuration",
            gettext("The platform's configuration could not be read: %(error)s"),
        )
        issuer = config.get("issuer") or ""
        required = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint")
        missing = [key for key in required if not config.get(key)]
        if missing:
            raise _refuse(
                gettext("The platform's configuration lacks %(keys)s.") % {"keys": ", ".join(missing)},
                f"missing {missing}",
            )
        # The configuration must come from the issuer it names (Dynamic Registration §3.4).
        if not openid_configuration_url.startswith(issuer.rstrip("/")):
            raise _refuse(
                gettext("The platform's configuration names another issuer."),
                f"issuer {issuer} vs {openid_configuration_url}",
            )
        headers = {"Authorization": f"Bearer {registration_token}"} if registration_token else {}
        answer = _get_json(
            config["registration_endpoint"],
            "registration endpoint",
            gettext("The platform's registration endpoint could not be read: %(error)s"),
            method="POST",
            json=tool_configuration(urls, name),
            headers=headers,
        )
        client_id = answer.get("client_id")
        if not client_id:
            raise _refuse(
                gettext("The platform did not give Ringlet a client id."),
                "registration answer without client_id",
            )
        product = (config.get(PLATFORM_CONFIGURATION) or {}).get("product_family_code") or urlsplit(
            issuer
        ).netloc
        platform, _ = Platform.objects.update_or_create(
            issuer=issuer,
            client_id=client_id,
            defaults={
                "name": f"{product} ({urlsplit(issuer).netloc})"[:200],
                "auth_login_url": config["authorization_endpoint"],
                "auth_token_url": config["token_endpoint"],
                "auth_audience": config.get("authorization_server") or "",
                "key_set_url": config["jwks_uri"],
                "is_active": True,
            },
        )
        deployment_id = (answer.get(TOOL_CONFIGURATION) or {}).get("deployment_id")
        if deployment_id:
            Deployment.objects.get_or_create(platform=platform, deployment_id=deployment_id)
        invite.used_at, invite.platform = timezone.now(), platform
        invite.save(update_fields=["used_at", "platform"])
    logger.info("LTI platform %s (%s, client %s) registered dynamically", platform.pk, issuer, client_id)
    return platform
