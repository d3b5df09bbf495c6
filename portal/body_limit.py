"""Requests whose declared body is larger than anything they may upload are refused before a
byte of the body is read.

Django reads a request's body only when something asks for it (``request.POST``,
``request.FILES``, ``request.body``); the CSRF check asks first, and Django's multipart
parser then streams every file to a temporary file before any form sees its size. A direct
POST of 3 GiB (without the admin's script, which refuses a large file before sending) used
to land whole in ``/tmp`` before the media form refused it. This middleware, first in the
stack, answers 413 from the ``Content-Length`` header alone: the media admin's uploads may
carry ``MEDIA_MAX_UPLOAD_MB`` (plus room for the form around the file), every other request
the largest upload the site accepts anywhere. The ingress does the same at the edge
(``proxy-body-size``); this covers a pod reached directly and ``make run``.

A client that sends ``Transfer-Encoding: chunked`` declares no length; to the media admin's
upload views that is refused too (411), since no browser sends a form that way.
"""

from django.conf import settings
from django.http import HttpResponse
from django.utils.html import escape

MIB = 1024 * 1024
# The form fields and multipart boundaries around the file.
FORM_OVERHEAD = MIB
MEDIA_UPLOAD_PATHS = ("/admin/media/",)
BODY_METHODS = ("POST", "PUT", "PATCH")


def limit_for(path):
    """The most bytes a request to ``path`` may declare."""
    media = settings.MEDIA_MAX_UPLOAD_MB * MIB + FORM_OVERHEAD
    if path.startswith(MEDIA_UPLOAD_PATHS):
        return media
    return max(media, settings.PACKAGE_MAX_UPLOAD_MB * MIB + FORM_OVERHEAD)


def _mib(size):
    return f"{-(-size // MIB):,} MiB"


def refusal(status, message):
    page = (
        "<!DOCTYPE html><html lang=en><meta charset=utf-8><title>Upload refused</title>"
        f"<h1>Upload refused</h1><p>{escape(message)}</p>"
    )
    response = HttpResponse(page, status=status, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


class DeclaredLengthLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in BODY_METHODS:
            declared = request.META.get("CONTENT_LENGTH") or ""
            path = request.path_info
            if declared.strip():
                try:
                    length = int(declared)
                except ValueError:
                    return refusal(400, "The request's Content-Length is not a number.")
                limit = limit_for(path)
                if length > limit:
                    return refusal(
                        413,
                        f"This upload is too large: {_mib(length)}; the limit is "
                        f"{_mib(limit - FORM_OVERHEAD)}. Export a smaller file (a lower resolution "
                        "or bitrate), or split it into parts.",
                    )
            elif "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower() and path.startswith(
                MEDIA_UPLOAD_PATHS
            ):
                return refusal(411, "Uploads must say their length (Content-Length); use the upload form.")
        return self.get_response(request)
