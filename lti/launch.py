"""OIDC third-party login initiation and the launch: the id_token validated in full.

The flow (LTI 1.3 §5.1, 1EdTech Security Framework §5.1.1):

1. The platform sends the browser to ``/lti/login/`` (GET or POST) with ``iss``, ``login_hint``,
   ``target_link_uri`` and usually ``client_id``, ``lti_deployment_id``, ``lti_message_hint``.
   ``begin_login`` checks the platform is registered, then answers with a redirect to the
   platform's authentication URL carrying a fresh ``nonce`` and a ``state``. The state is signed
   data (platform, nonce, target, the login parameters), so nothing is stored for a request
   nobody has authenticated yet; a cookie named after the state binds it to this browser.
2. The platform posts ``id_token`` and ``state`` to ``/lti/launch/``. ``validate_launch`` checks,
   in order: the state (signature, age), the state cookie (missing: cookies are blocked in this
   frame, see ``CookiesBlocked``), the issuer, the signature against the platform's JWKS
   (``platform_keys``), ``aud``, ``azp``, ``exp``, ``iat``, the nonce against the state's, the
   version, the message type, the deployment id, the claims the message type requires, and
   finally records the nonce, so that the same id_token (or nonce) is refused ever after.

Every refusal is a ``Refused`` with a title and a sentence for the page, and a reason for the log.
"""

import hashlib
import json
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    InvalidKeyIdError,
    JoseError,
    MissingClaimError,
)
from joserfc.jws import extract_compact
from joserfc.jwt import JWTClaimsRegistry

from . import claims as c
from .models import Deployment, Platform, UsedNonce
from .platform_keys import KeysUnavailable, resolver

STATE_SALT = "lti.login-state"
ALGORITHMS = ["RS256", "RS384", "RS512"]


class Refused(Exception):
    """A login or launch Ringlet refuses: ``title`` and ``message`` for the page, ``reason`` for the log."""

    def __init__(self, title, message, reason, status=403, platform=None):
        super().__init__(reason)
        self.title = title
        self.message = message
        self.reason = reason
        self.status = status
        self.platform = platform


class CookiesBlocked(Exception):
    """The launch came back without the state cookie the login set: the browser keeps no cookies
    in this frame. ``login_url`` starts the same launch again in a window of its own."""

    def __init__(self, platform, login_url):
        super().__init__("state cookie missing")
        self.platform = platform
        self.login_url = login_url


def state_cookie_name(state):
    return "lti_state_" + hashlib.sha256(state.encode()).hexdigest()[:24]


def _platform_for(issuer, client_id):
    platforms = Platform.objects.filter(issuer=issuer)
    if client_id:
        platforms = platforms.filter(client_id=client_id)
    found = list(platforms[:2])
    if not found:
        raise Refused(
            gettext_lazy("This platform is not registered"),
            gettext_lazy(
                "Ringlet does not know the learning platform that sent you here. Its administrator "
                "needs to register it with Ringlet first."
            ),
            f"unknown issuer {issuer!r} (client_id {client_id!r})",
        )
    if len(found) > 1:
        raise Refused(
            gettext_lazy("The platform must say which registration it means"),
            gettext_lazy(
                "Ringlet has several registrations for this platform, and the launch did not say which."
            ),
            f"issuer {issuer!r} has several registrations and the login named no client_id",
        )
    platform = found[0]
    if not platform.is_active:
        raise Refused(
            gettext_lazy("This platform is switched off"),
            gettext_lazy("Launches from this learning platform are turned off in Ringlet."),
            f"platform {platform.pk} ({issuer}) is inactive",
            platform=platform,
        )
    return platform


def _deployment(platform, deployment_id):
    deployment = Deployment.objects.filter(platform=platform, deployment_id=deployment_id).first()
    if deployment is None or not deployment.is_active:
        raise Refused(
            gettext_lazy("This deployment is not registered"),
            gettext_lazy(
                "The learning platform launched Ringlet through deployment “%(deployment)s”, which "
                "is not registered for %(platform)s. An administrator adds it under "
                "Settings > LTI platforms."
            )
            % {"deployment": deployment_id, "platform": platform.name},
            f"deployment {deployment_id!r} is not registered (or inactive) for platform {platform.pk}",
            platform=platform,
        )
    return deployment


def _same_site(url, host):
    parts = urlsplit(url or "")
    return parts.scheme in ("http", "https") and parts.netloc == host


def begin_login(params, redirect_uri, host):
    """Answer a third-party login initiation: ``(platform, auth_url, state)``; raises Refused.

    ``params`` are the request's parameters; ``redirect_uri`` is the launch URL (``/lti/launch/``,
    absolute); ``host`` is the request's host, which ``target_link_uri`` must name.
    """
    issuer, login_hint = params.get("iss"), params.get("login_hint")
    target = params.get("target_link_uri")
    if not issuer or not login_hint or not target:
        raise Refused(
            gettext_lazy("The launch is incomplete"),
            gettext_lazy(
                "The learning platform's login request lacks its issuer, login hint or target link."
            ),
            "login initiation without iss, login_hint or target_link_uri",
            status=400,
        )
    platform = _platform_for(issuer, params.get("client_id"))
    if params.get("lti_deployment_id"):
        _deployment(platform, params["lti_deployment_id"])
    if not _same_site(target, host):
        raise Refused(
            gettext_lazy("The link points elsewhere"),
            gettext_lazy("The learning platform asked Ringlet to open a page that is not on this site."),
            f"target_link_uri {target!r} is not on {host}",
            status=400,
            platform=platform,
        )
    nonce = secrets.token_urlsafe(32)
    kept = ("iss", "login_hint", "target_link_uri", "lti_message_hint", "client_id", "lti_deployment_id")
    state = signing.dumps(
        {"p": platform.pk, "n": nonce, "login": {key: params[key] for key in kept if params.get(key)}},
        salt=STATE_SALT,
        compress=True,
    )
    query = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": platform.client_id,
        "redirect_uri": redirect_uri,
        "login_hint": login_hint,
        "state": state,
        "nonce": nonce,
    }
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    separator = "&" if "?" in platform.auth_login_url else "?"
    return platform, f"{platform.auth_login_url}{separator}{urlencode(query)}", state


@dataclass
class Launch:
    """A validated launch: the platform, the deployment and the id_token's claims."""

    platform: Platform
    deployment: Deployment
    claims: dict = field(repr=False)
    origin: str = ""

    @property
    def message_type(self):
        return self.claims[c.MESSAGE_TYPE]

    @property
    def is_deep_linking(self):
        return self.message_type == c.DEEP_LINKING_REQUEST

    @property
    def roles(self):
        return [role for role in self.claims.get(c.ROLES) or [] if isinstance(role, str)]

    @property
    def is_instructor(self):
        return c.is_instructor(self.roles)

    @property
    def context(self):
        return self.claims.get(c.CONTEXT) or {}

    @property
    def resource_link(self):
        return self.claims.get(c.RESOURCE_LINK) or {}

    @property
    def custom(self):
        custom = self.claims.get(c.CUSTOM)
        return custom if isinstance(custom, dict) else {}

    @property
    def target_link_uri(self):
        return self.claims.get(c.TARGET_LINK_URI) or ""

    @property
    def ags(self):
        return self.claims.get(c.AGS_ENDPOINT) or {}

    @property
    def nrps(self):
        return self.claims.get(c.NRPS) or {}

    @property
    def deep_linking_settings(self):
        return self.claims.get(c.DL_SETTINGS) or {}

    @property
    def return_url(self):
        return (self.claims.get(c.LAUNCH_PRESENTATION) or {}).get("return_url") or ""


def _unverified(id_token):
    try:
        payload = json.loads(extract_compact(id_token.encode()).payload)
    except (JoseError, ValueError, TypeError) as error:
        raise Refused(
            gettext_lazy("The launch could not be read"),
            gettext_lazy("The learning platform sent a launch token Ringlet cannot read."),
            f"id_token is not a JWS: {error}",
            status=400,
        ) from error
    if not isinstance(payload, dict):
        raise Refused(
            gettext_lazy("The launch could not be read"),
            gettext_lazy("The launch token holds no claims."),
            "payload not an object",
            400,
        )
    return payload


def _restart_url(login_url, login):
    return f"{login_url}?{urlencode(login)}"


def validate_launch(data, cookies, login_url, origin=""):
    """Validate a launch POST (``data``: ``id_token`` and ``state``); returns a Launch.

    Raises Refused, or CookiesBlocked when the state is genuine but its cookie did not come back.
    ``login_url`` is ``/lti/login/`` (absolute), for the new-window fallback.
    """
    id_token, state = data.get("id_token"), data.get("state")
    if not id_token or not state:
        raise Refused(
            gettext_lazy("The launch is incomplete"),
            gettext_lazy(
                "The learning platform's launch lacks its token or state. Launch again from the platform."
            ),
            "launch without id_token or state",
            status=400,
        )
    try:
        login = signing.loads(state, salt=STATE_SALT, max_age=settings.LTI_STATE_SECONDS)
    except signing.SignatureExpired as error:
        raise Refused(
            gettext_lazy("The launch took too long"),
            gettext_lazy("Too much time passed between the platform's login and its launch. Launch again."),
            "state expired",
            status=400,
        ) from error
    except signing.BadSignature as error:
        raise Refused(
            gettext_lazy("The launch could not be checked"),
            gettext_lazy("The launch's state was not issued by Ringlet. Launch again from the platform."),
            "forged or corrupt state",
            status=400,
        ) from error
    platform = Platform.objects.filter(pk=login["p"]).first()
    if platform is None or not platform.is_active:
        raise Refused(
            gettext_lazy("This platform is not registered"),
            gettext_lazy("The learning platform of this launch is no longer registered with Ringlet."),
            f"platform {login['p']} of the state is gone or inactive",
        )
    if cookies.get(state_cookie_name(state)) != "1":
        raise CookiesBlocked(platform, _restart_url(login_url, login["login"]))

    unverified = _unverified(id_token)
    issuer = unverified.get("iss")
    if issuer != platform.issuer:
        if not Platform.objects.filter(issuer=issuer).exists():
            raise Refused(
                gettext_lazy("This platform is not registered"),
                gettext_lazy("The launch token comes from a learning platform Ringlet does not know."),
                f"unknown issuer {issuer!r} in the id_token (login was for {platform.issuer!r})",
            )
        raise Refused(
            gettext_lazy("The launch does not match its login"),
            gettext_lazy("The launch token names another platform than the login did."),
            f"id_token iss {issuer!r} differs from the login's {platform.issuer!r}",
            platform=platform,
        )

    try:
        token = jwt.decode(id_token, resolver(platform.key_set_url), algorithms=ALGORITHMS)
    except KeysUnavailable as error:
        raise Refused(
            gettext_lazy("The platform's keys are unavailable"),
            gettext_lazy(
                "Ringlet could not fetch the learning platform's public keys to check this launch. "
                "Try again in a moment."
            ),
            str(error),
            status=503,
            platform=platform,
        ) from error
    except (BadSignatureError, InvalidKeyIdError) as error:
        raise Refused(
            gettext_lazy("The launch's signature is not valid"),
            gettext_lazy("The launch token was not signed by any key the learning platform publishes."),
            f"signature check failed ({type(error).__name__}: {error})",
            platform=platform,
        ) from error
    except JoseError as error:
        raise Refused(
            gettext_lazy("The launch could not be checked"),
            gettext_lazy("The launch token is not a valid signed token."),
            f"id_token rejected: {type(error).__name__}: {error}",
            status=400,
            platform=platform,
        ) from error
    body = token.claims

    registry = JWTClaimsRegistry(
        leeway=settings.LTI_CLOCK_SKEW_SECONDS,
        iss={"essential": True, "value": platform.issuer},
        aud={"essential": True, "value": platform.client_id},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True},
    )
    try:
        registry.validate(body)
    except ExpiredTokenError as error:
        raise Refused(
            gettext_lazy("The launch has expired"),
            gettext_lazy("The launch token's time is up. Launch again from the platform."),
            f"id_token expired (exp {body.get('exp')})",
            platform=platform,
        ) from error
    except (InvalidClaimError, MissingClaimError) as error:
        if isinstance(error, InvalidClaimError) and error.claim == "aud":
            raise Refused(
                gettext_lazy("The launch is meant for another tool"),
                gettext_lazy("The launch token is addressed to another tool than Ringlet."),
                f"wrong audience {body.get('aud')!r} (Ringlet's client_id is {platform.client_id!r})",
                platform=platform,
            ) from error
        raise Refused(
            gettext_lazy("The launch could not be checked"),
            gettext_lazy("The launch token's claims are not valid."),
            f"claim check failed: {error}",
            status=400,
            platform=platform,
        ) from error
    audiences = body["aud"] if isinstance(body["aud"], list) else [body["aud"]]
    if (len(audiences) > 1 or "azp" in body) and body.get("azp") != platform.client_id:
        raise Refused(
            gettext_lazy("The launch is meant for another tool"),
            gettext_lazy("The launch token's authorized party is not Ringlet."),
            f"azp {body.get('azp')!r} is not the client_id {platform.client_id!r}",
            platform=platform,
        )
    max_age = settings.LTI_STATE_SECONDS + settings.LTI_CLOCK_SKEW_SECONDS
    if body["iat"] < datetime.now(UTC).timestamp() - max_age:
        raise Refused(
            gettext_lazy("The launch has expired"),
            gettext_lazy("The launch token was issued too long ago. Launch again from the platform."),
            f"id_token issued at {body['iat']}, more than {max_age} s ago",
            platform=platform,
        )
    if not secrets.compare_digest(str(body["nonce"]), login["n"]):
        raise Refused(
            gettext_lazy("The launch does not match its login"),
            gettext_lazy("The launch token was not made for this login. Launch again from the platform."),
            "nonce differs from the state's",
            platform=platform,
        )
    if body.get(c.VERSION) != "1.3.0":
        raise Refused(
            gettext_lazy("This LTI version is not supported"),
            gettext_lazy("Ringlet speaks LTI 1.3.0; the platform sent another version."),
            f"version {body.get(c.VERSION)!r}",
            status=400,
            platform=platform,
        )
    if body.get(c.MESSAGE_TYPE) not in c.MESSAGE_TYPES:
        raise Refused(
            gettext_lazy("This kind of launch is not supported"),
            gettext_lazy("Ringlet answers resource links and deep linking requests only."),
            f"message type {body.get(c.MESSAGE_TYPE)!r}",
            status=400,
            platform=platform,
        )
    deployment_id = body.get(c.DEPLOYMENT_ID)
    if not deployment_id:
        raise Refused(
            gettext_lazy("The launch is incomplete"),
            gettext_lazy("The launch names no deployment."),
            "no deployment_id",
            400,
            platform,
        )
    deployment = _deployment(platform, deployment_id)
    if not body.get("sub"):
        raise Refused(
            gettext_lazy("Anonymous launches are not supported"),
            gettext_lazy("Ringlet needs to know who you are on the platform to keep your progress."),
            "launch without sub",
            status=400,
            platform=platform,
        )
    if body[c.MESSAGE_TYPE] == c.RESOURCE_LINK_REQUEST and not (body.get(c.RESOURCE_LINK) or {}).get("id"):
        raise Refused(
            gettext_lazy("The launch is incomplete"),
            gettext_lazy("The launch names no link."),
            "no resource_link.id",
            400,
            platform,
        )
    if body[c.MESSAGE_TYPE] == c.DEEP_LINKING_REQUEST and not (body.get(c.DL_SETTINGS) or {}).get(
        "deep_link_return_url"
    ):
        raise Refused(
            gettext_lazy("The launch is incomplete"),
            gettext_lazy("The request names no return URL."),
            "no deep_link_return_url",
            400,
            platform,
        )
    if not isinstance(body.get(c.ROLES, []), list):
        raise Refused(
            gettext_lazy("The launch could not be checked"),
            gettext_lazy("The roles claim is not a list."),
            "roles not a list",
            400,
            platform,
        )

    expires = datetime.fromtimestamp(max(body["exp"], body["iat"] + max_age), UTC)
    try:
        with transaction.atomic():
            UsedNonce.objects.create(issuer=platform.issuer, nonce=str(body["nonce"]), expires_at=expires)
    except IntegrityError as error:
        raise Refused(
            gettext_lazy("This launch was used already"),
            gettext_lazy(
                "A launch can be used once. Go back to the learning platform and open the link again."
            ),
            "replayed id_token (nonce used before)",
            platform=platform,
        ) from error
    return Launch(platform=platform, deployment=deployment, claims=body, origin=origin)
