"""Reading a PDF: its page count and a first-page thumbnail, with PDFium (pypdfium2).

pypdfium2 ships PDFium (Chrome's PDF engine) inside its wheel, so the worker needs no
system package, and PDFium copes with the damaged and unusual files people upload. It is
not thread-safe: the Celery worker runs tasks in processes, one document at a time.
"""

import io
from dataclasses import dataclass

THUMBNAIL_WIDTH = 480
# A very tall first page (a scroll, a poster) is cut off here rather than rendered whole.
THUMBNAIL_MAX_HEIGHT = THUMBNAIL_WIDTH * 3
THUMBNAIL_FORMAT = "WEBP"
THUMBNAIL_EXTENSION = ".webp"
THUMBNAIL_CONTENT_TYPE = "image/webp"


def is_pdf(document):
    """Whether a Wagtail document is a PDF (by its file's extension, which Wagtail checks)."""
    return bool(document.file) and document.file.name.lower().endswith(".pdf")


LOCKED_MESSAGE = (
    "The PDF is protected by a password, so students would be asked for one they do not have. "
    "Upload a copy saved without a password (in your PDF tool: remove security, then save)."
)
DAMAGED_HINT = (
    "It may be damaged or incomplete, as happens when a download or copy is interrupted: "
    "upload it again from the original."
)


class PdfUnreadable(Exception):
    """The file cannot be read as a PDF; the message is for editors."""


@dataclass(frozen=True)
class PdfFacts:
    pages: int
    thumbnail: bytes  # WebP
    width: int
    height: int


def read_pdf(path):
    """The page count and a ``THUMBNAIL_WIDTH``-wide WebP of the first page of the PDF at ``path``.

    Raises ``PdfUnreadable`` for a damaged, empty or password-protected file.
    """
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise PdfUnreadable(LOCKED_MESSAGE) from exc
        raise PdfUnreadable(f"Could not read the PDF: {exc}. {DAMAGED_HINT}") from exc
    try:
        pages = len(pdf)
        if pages == 0:
            raise PdfUnreadable("The PDF has no pages.")
        page = pdf[0]
        try:
            width_pt, height_pt = page.get_size()
            if width_pt <= 0 or height_pt <= 0:
                raise PdfUnreadable("The PDF's first page has no size.")
            scale = THUMBNAIL_WIDTH / width_pt
            # Only the top of a very tall page is drawn: a 1 pt wide, 14,400 pt tall page would
            # otherwise be rendered at millions of pixels before being cut.
            below = max(0.0, height_pt - THUMBNAIL_MAX_HEIGHT / scale)
            image = page.render(scale=scale, crop=(0, below, 0, 0)).to_pil()
        except pdfium.PdfiumError as exc:
            raise PdfUnreadable(f"Could not render the PDF's first page: {exc}") from exc
        finally:
            page.close()
    finally:
        pdf.close()
    if image.height > THUMBNAIL_MAX_HEIGHT:
        image = image.crop((0, 0, image.width, THUMBNAIL_MAX_HEIGHT))
    out = io.BytesIO()
    image.convert("RGB").save(out, THUMBNAIL_FORMAT, quality=80, method=4)
    return PdfFacts(pages=pages, thumbnail=out.getvalue(), width=image.width, height=image.height)
