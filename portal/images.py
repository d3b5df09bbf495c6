"""Wagtail images (course covers, video posters) from the filesystem, under production settings.

With S3 or Azure the browser fetches images from the store; with the filesystem nothing served
``MEDIA_URL`` unless DEBUG was on, so covers and posters were 404 in production. Wagtail images
are public by design (their URLs appear in public pages and the API), so they need no
permission check; everything else under ``MEDIA_ROOT`` (media originals, renditions, captions,
documents) stays behind its own permission-checked view and is never served here.

Whitenoise is not used for this: it indexes files at start-up (new uploads would 404 until a
restart) and would serve any file under the folder it is given.
"""

import mimetypes
import re

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.views.decorators.http import require_safe

# Only Wagtail's two image folders, one file name deep (no "..", no sub-folders), and only
# raster types: an SVG could carry script.
IMAGE_PATH = r"(?P<path>(?:original_images|images)/[\w.\-]+\.(?:jpe?g|png|gif|webp|avif))"
IMAGE_PATTERN = re.compile(IMAGE_PATH, re.IGNORECASE)


@require_safe
def serve_image(request, path):
    """Serve one Wagtail image file (original or rendition) from the default storage."""
    if not IMAGE_PATTERN.fullmatch(path) or not default_storage.exists(path):
        raise Http404("No such image.")
    response = FileResponse(default_storage.open(path, "rb"), content_type=mimetypes.guess_type(path)[0])
    # Rendition file names change when the image does; a day keeps a replaced original fresh enough.
    response["Cache-Control"] = "public, max-age=86400"
    # Images need no script, even if one was crafted to sniff as HTML.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
