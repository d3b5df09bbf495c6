"""Deep Linking 2.0: the content picker's choices, returned to the platform as a signed
``LtiDeepLinkingResponse`` of ``ltiResourceLink`` items (with a line item for graded content)."""

import secrets

from . import claims as c
from . import keys
from .launches import PAGE_PARAMETER


def content_item(page, url, line_item=None):
    """An ``ltiResourceLink`` for ``page`` at ``url``; ``line_item`` is ``(resource id, label)``
    for graded content, which asks the platform to make a gradebook column for it."""
    item = {
        "type": "ltiResourceLink",
        "title": page.title,
        "url": url,
        "custom": {PAGE_PARAMETER: str(page.pk)},
    }
    summary = getattr(page, "summary", "")
    if summary:
        item["text"] = summary
    if line_item is not None:
        resource_id, label = line_item
        item["lineItem"] = {"scoreMaximum": 100, "label": label, "resourceId": resource_id, "tag": "ringlet"}
    return item


def response_token(platform, deployment_id, settings_claim, items, message=""):
    """The signed JWT to post back to ``deep_link_return_url`` (iss is Ringlet's client id, aud
    the platform; ``data`` is echoed as the spec requires)."""
    claims = {
        "iss": platform.client_id,
        "aud": platform.issuer,
        "nonce": secrets.token_urlsafe(16),
        c.DEPLOYMENT_ID: deployment_id,
        c.MESSAGE_TYPE: c.DEEP_LINKING_RESPONSE,
        c.VERSION: "1.3.0",
        c.DL_CONTENT_ITEMS: items,
    }
    if settings_claim.get("data") is not None:
        claims[c.DL_DATA] = settings_claim["data"]
    if message:
        claims[c.DL_MESSAGE] = message
    return keys.sign(claims, lifetime=600)
