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
"""

from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from csp.middleware import PolicyParts

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


class CSPMiddleware(DjangoCSPMiddleware):
    """django-csp's middleware, with the admin policy on admin paths and HTML responses only."""

    def process_response(self, request, response):
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        return super().process_response(request, response)

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
