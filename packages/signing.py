"""Signed package sessions: the URL prefix under which one launch reads a package's files and reports.

The launch view (``views.launch``) asks the lesson's gate once and hands out
``/package-sessions/<token>/``: the player page, the package's files under ``files/``, and
the runtime endpoints (SCORM commits, H5P state and statements). The token is
``<package>.<version>.<attempt>.<expires>.<signature>``, the signature an HMAC (Django's
``salted_hmac``, keyed by SECRET_KEY) of the rest, so it opens that version of that
package, reports to that attempt (0: a reader whose results are not kept) and nothing
else, until it expires (``PACKAGE_SESSION_SECONDS``). Files are served with no database
query. A session carries no cookie, so it works the same when packages are served from an
origin of their own (``PACKAGES_ORIGIN``), where the site's cookies never go.

Like media's signed URLs, a token already handed out keeps working until it expires: that
is how long a revoked enrollment may keep an open activity running.
"""

import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

_SALT = "packages.signing"
_TOKEN = re.compile(r"^(\d{1,18})\.([A-Za-z0-9_-]{1,64})\.(\d{1,18})\.(\d{1,12})\.([0-9a-f]{32})$")


@dataclass(frozen=True)
class Session:
    package_id: int
    version: str
    attempt_id: int  # 0: not tracked
    expires: int


def _signature(package_id, version, attempt_id, expires):
    message = f"{int(package_id)}:{version}:{int(attempt_id)}:{int(expires)}"
    return salted_hmac(_SALT, message, algorithm="sha256").hexdigest()[:32]


def make_token(package_id, version, attempt_id=0, expires=None):
    expires = int(expires if expires is not None else time.time() + settings.PACKAGE_SESSION_SECONDS)
    signature = _signature(package_id, version, attempt_id, expires)
    return f"{int(package_id)}.{version}.{int(attempt_id)}.{expires}.{signature}"


def open_token(token, now=None):
    """The ``Session`` a valid, unexpired token stands for, else ``None``."""
    match = _TOKEN.match(token or "")
    if match is None:
        return None
    package_id, version, attempt_id, expires, signature = match.groups()
    if int(expires) < (now if now is not None else time.time()):
        return None
    if not constant_time_compare(signature, _signature(package_id, version, attempt_id, expires)):
        return None
    return Session(int(package_id), version, int(attempt_id), int(expires))


def session_url(token, name="player", **kwargs):
    """An absolute-or-rooted URL of a session's endpoint, on ``PACKAGES_ORIGIN`` when one is set."""
    return settings.PACKAGES_ORIGIN + reverse(f"packages:{name}", kwargs={"token": token, **kwargs})
