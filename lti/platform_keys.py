"""Platforms' public keys: each platform's JWKS, fetched over HTTPS and cached, with key rotation.

A launch names its key by ``kid``. The JWKS is kept in the cache for ``LTI_PLATFORM_JWKS_SECONDS``
(one hour); a ``kid`` the cached copy lacks means the platform rotated its keys, so the JWKS is
fetched again at once, but at most once every ``LTI_PLATFORM_JWKS_REFETCH_SECONDS``, so a stream
of tokens with made-up kids cannot turn Ringlet into a flood of requests to the platform.
"""

import hashlib
import logging
import time

import requests
from django.conf import settings
from django.core.cache import cache
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

logger = logging.getLogger(__name__)


class KeysUnavailable(Exception):
    """The platform's JWKS could not be fetched or read."""


def _cache_key(url):
    return "lti:jwks:" + hashlib.sha256(url.encode()).hexdigest()


def fetch(url):
    """GET the JWKS at ``url``; returns its JSON (a dict with ``keys``) or raises KeysUnavailable."""
    try:
        response = requests.get(
            url, timeout=settings.LTI_HTTP_TIMEOUT, headers={"Accept": "application/json"}
        )
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError) as error:
        raise KeysUnavailable(f"The platform's keys could not be fetched from {url}: {error}") from error
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        raise KeysUnavailable(f"{url} did not answer with a JWKS (a JSON object with “keys”).")
    return data


def _load(url, force=False):
    entry = cache.get(_cache_key(url))
    if entry and not force:
        return entry
    if entry and force and time.time() - entry["fetched"] < settings.LTI_PLATFORM_JWKS_REFETCH_SECONDS:
        return entry
    entry = {"jwks": fetch(url), "fetched": time.time()}
    cache.set(_cache_key(url), entry, settings.LTI_PLATFORM_JWKS_SECONDS)
    logger.info("Fetched the LTI platform keys at %s (%d keys)", url, len(entry["jwks"]["keys"]))
    return entry


def key_set(url, force=False):
    try:
        return KeySet.import_key_set(_load(url, force)["jwks"])
    except JoseError as error:
        raise KeysUnavailable(f"The platform's JWKS at {url} holds no usable key: {error}") from error


def resolver(url):
    """A joserfc key callable: the key named by the token's ``kid``, fetching the JWKS again once
    when the cached copy does not have it (the platform rotated its keys)."""

    def resolve(token):
        header = token.headers()
        kid, alg = header.get("kid"), header.get("alg")
        keys = key_set(url)
        try:
            return keys.get_by_kid(kid, {"alg": alg} if alg else None) if kid else _only(keys)
        except InvalidKeyIdError:
            pass
        keys = key_set(url, force=True)
        return keys.get_by_kid(kid, {"alg": alg} if alg else None)

    return resolve


def _only(keys):
    # A token without a kid can only be checked against a JWKS of one key (LTI requires kid).
    if len(keys.keys) == 1:
        return keys.keys[0]
    raise InvalidKeyIdError("The token names no key (kid) and the platform publishes several.")
