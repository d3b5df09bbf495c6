"""Calls to a platform's LTI Advantage services with an OAuth 2 client-credentials token.

The token request authenticates with a JWT signed by the tool's current key (1EdTech Security
Framework §4.1, ``private_key_jwt``: ``client_assertion_type`` jwt-bearer, iss and sub the client
id, aud the token URL or the platform's token audience, a fresh jti). Tokens are kept in the
cache until shortly before they expire; a 401 from a service drops the token and asks once more.
"""

import hashlib
import logging
import uuid

import requests
from django.conf import settings
from django.core.cache import cache

from . import keys

logger = logging.getLogger(__name__)
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


class ServiceError(Exception):
    """A platform service failed; ``retryable`` when trying later may succeed (network, 5xx, 429)."""

    def __init__(self, message, retryable, status=None):
        super().__init__(message)
        self.retryable = retryable
        self.status = status


def _token_key(platform, scopes):
    digest = hashlib.sha256(" ".join(sorted(scopes)).encode()).hexdigest()[:16]
    return f"lti:token:{platform.pk}:{digest}"


def _raise_for(response, what):
    if response.status_code < 400:
        return
    retryable = response.status_code >= 500 or response.status_code in (408, 429)
    raise ServiceError(
        f"{what} answered {response.status_code}: {response.text[:300]}", retryable, response.status_code
    )


def access_token(platform, scopes):
    """A bearer token for ``scopes`` at ``platform`` (cached until a minute before it expires)."""
    key = _token_key(platform, scopes)
    token = cache.get(key)
    if token:
        return token
    assertion = keys.sign(
        {
            "iss": platform.client_id,
            "sub": platform.client_id,
            "aud": platform.auth_audience or platform.auth_token_url,
            "jti": uuid.uuid4().hex,
        },
        lifetime=300,
    )
    data = {
        "grant_type": "client_credentials",
        "client_assertion_type": JWT_BEARER,
        "client_assertion": assertion,
        "scope": " ".join(scopes),
    }
    try:
        response = requests.post(platform.auth_token_url, data=data, timeout=settings.LTI_HTTP_TIMEOUT)
    except requests.RequestException as error:
        raise ServiceError(f"The token endpoint could not be reached: {error}", retryable=True) from error
    _raise_for(response, "The token endpoint")
    try:
        body = response.json()
        token = body["access_token"]
    except (ValueError, KeyError, TypeError) as error:
        raise ServiceError("The token endpoint's answer holds no access_token.", retryable=False) from error
    lifetime = int(body.get("expires_in") or 3600)
    cache.set(key, token, max(lifetime - 60, 1))
    return token


def call(platform, scopes, method, url, **kwargs):
    """An HTTP call to a service URL with a bearer token; returns the response (raises ServiceError)."""
    for attempt in (1, 2):
        headers = {**kwargs.pop("headers", {}), "Authorization": f"Bearer {access_token(platform, scopes)}"}
        try:
            response = requests.request(
                method, url, headers=headers, timeout=settings.LTI_HTTP_TIMEOUT, **kwargs
            )
        except requests.RequestException as error:
            raise ServiceError(f"{url} could not be reached: {error}", retryable=True) from error
        if response.status_code == 401 and attempt == 1:
            # The platform may have dropped the token (restart, rotation): one fresh one.
            cache.delete(_token_key(platform, scopes))
            kwargs["headers"] = {key: value for key, value in headers.items() if key != "Authorization"}
            continue
        _raise_for(response, url)
        return response
    return response
