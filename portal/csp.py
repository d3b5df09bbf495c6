"""Content-Security-Policy (django-csp): a strict policy for the site, a looser one for the admins.

The site's pages run no inline script and no inline event handler (``script-src 'self'``,
no ``'unsafe-inline'``), so an injected ``<script>`` or ``onerror=`` does nothing. The player
needs ``blob:`` for media (hls.js feeds the <video> through MediaSource object URLs) and for
its worker; the PDF viewer (pdf.js) needs only ``'self'``, and no plugins at all. Files in
S3 or Azure are fetched from the store's origin (the media views redirect there), so that
origin is allowed for media, images, and hls.js's and pdf.js's requests (a bucket serving
documents to the viewer must allow the site's origin in its CORS rules).

Wagtail's admin and Django's admin still rely on inline scripts, inline styles and
``blob:``/``data:`` URLs in their widgets, so ``/admin/`` and ``/django-admin/`` get
their own policy (``admin_directives``, as ``CSP_ADMIN_DIRECTIVES``), chosen by path in
``CSPMiddleware`` below. Only HTML responses carry a policy: files and JSON have nothing to
protect with one, and a policy on a PDF could only get in the way of the browser's viewer.

``frame-ancestors`` is ``'self'``: no other site may frame Ringlet, except where a feature that
embeds it says which origins may for this response, in ``request.csp_frame_ancestors``. LTI
launches do (``lti/embedding.py``): the registered platform that launched the session, and no
one else, may frame its pages.

The header is built once per policy (``built_policy``): django-csp rebuilds it on every response
(``dataclasses.asdict`` deep-copies the directives, then every list is copied, joined and
sorted), 12% of an anonymous page-cache hit. Here the string is kept per policy source (the
settings dict or a view's own config, by identity, held so that the identity stays its own) and
update/replace directives; a nonce (none of Ringlet's pages uses one) still builds it afresh.
"""

import threading

from csp.constants import HEADER, HEADER_REPORT_ONLY, NONE, SELF, UNSAFE_INLINE
from csp.middleware import CheckableLazyObject, PolicyParts
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from csp.utils import build_policy
from django.conf import settings

BLOB = "blob:"
DATA = "data:"

ADMIN_PREFIXES = ("/admin/", "/django-admin/")


def site_directives(storage_origins=(), form_origins=(), frame_origins=()):
    """The policy of every page outside the admins (``frame_origins``: where lessons frame
    content packages, ``PACKAGES_ORIGIN``, when it is not the site's own)."""
    origins = list(storage_origins)
    return {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, DATA, *origins],
        "media-src": [SELF, BLOB, *origins],
        "connect-src": [SELF, *origins],
        # hls.js's worker (a blob:) and pdf.js's module worker (a static file).
        "worker-src": [SELF, BLOB],
        "font-src": [SELF],
        # No plugins: PDFs are drawn by pdf.js on a <canvas>, not shown in an <object>. pdf.js
        # fetches the document (connect-src: here, or the store it redirects to) and its fonts,
        # CMaps and decoders from /static/; its fonts load through the FontFace API, which
        # font-src does not govern. Embeds (oEmbed: YouTube, Vimeo...) are iframes.
        "object-src": [NONE],
        "frame-src": [SELF, "https:", *frame_origins],
        "frame-ancestors": [SELF],
        "base-uri": [SELF],
        "form-action": [SELF, *form_origins],
    }


def admin_directives(storage_origins=()):
    """The admins' policy: still no plugins, no foreign scripts, no framing by other sites."""
    origins = list(storage_origins)
    return {
        "default-src": [SELF],
        "script-src": [SELF, UNSAFE_INLINE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, DATA, BLOB, *origins],
        "media-src": [SELF, BLOB, *origins],
        "connect-src": [SELF, *origins],
        "worker-src": [SELF, BLOB],
        "font-src": [SELF, DATA],
        "object-src": [SELF],
        "frame-src": [SELF, "https:"],
        "frame-ancestors": [SELF],
        "base-uri": [SELF],
        "form-action": [SELF],
        "manifest-src": [SELF],
        "child-src": [SELF, BLOB],
    }


# Built headers: {(id of the source, update, replace, report only): (source, header)}.
_BUILT = {}
_BUILT_LOCK = threading.Lock()
# Policies differ by the LTI platforms framing pages; past this many, start again.
MAX_BUILT = 256


def _frozen(directives):
    if not directives:
        return None
    return tuple(
        sorted(
            (name, tuple(sorted(value)) if isinstance(value, set) else tuple(value))
            if isinstance(value, list | tuple | set)
            else (name, value)
            for name, value in directives.items()
        )
    )


def built_policy(parts, report_only=False):
    """The header django-csp's ``build_policy`` makes of ``parts``, built once per policy."""
    if parts.nonce is not None:
        return build_policy(parts.config, parts.update, parts.replace, parts.nonce, report_only)
    name = "CONTENT_SECURITY_POLICY_REPORT_ONLY" if report_only else "CONTENT_SECURITY_POLICY"
    source = parts.config if parts.config is not None else getattr(settings, name, None)
    key = (id(source), _frozen(parts.update), _frozen(parts.replace), report_only)
    known = _BUILT.get(key)
    if known is not None and known[0] is source:
        return known[1]
    header = build_policy(parts.config, parts.update, parts.replace, None, report_only)
    with _BUILT_LOCK:
        if len(_BUILT) >= MAX_BUILT:
            _BUILT.clear()
        _BUILT[key] = (source, header)
    return header


class CSPMiddleware(DjangoCSPMiddleware):
    """django-csp's middleware, with the admin policy on admin paths and HTML responses only, and
    each policy's header built once (``built_policy``)."""

    def process_response(self, request, response):
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        # As django-csp 4.0's process_response, with the header built once per policy.
        if response.status_code in (404, 500) and settings.DEBUG:
            return response
        for header, report_only, exempt in (
            (HEADER, False, "_csp_exempt"),
            (HEADER_REPORT_ONLY, True, "_csp_exempt_ro"),
        ):
            policy = built_policy(self.get_policy_parts(request, response, report_only), report_only)
            if not policy or header in response or getattr(response, exempt, False):
                continue
            name = "CONTENT_SECURITY_POLICY_REPORT_ONLY" if report_only else "CONTENT_SECURITY_POLICY"
            prefixes = (getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
            if not request.path_info.startswith(tuple(prefixes)):
                response[header] = policy
        if getattr(request, "_csp_nonce", None) is None:
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and parts.config is None and request.path_info.startswith(ADMIN_PREFIXES):
            from django.conf import settings

            return PolicyParts(settings.CSP_ADMIN_DIRECTIVES, parts.update, parts.replace, parts.nonce)
        ancestors = getattr(request, "csp_frame_ancestors", None)
        if ancestors is not None and not request.path_info.startswith(ADMIN_PREFIXES):
            replace = {**(parts.replace or {}), "frame-ancestors": [SELF, *ancestors]}
            return PolicyParts(parts.config, parts.update, replace, parts.nonce)
        return parts
