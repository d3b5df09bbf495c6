"""Reading a PDF: its page count and a first-page thumbnail, with PDFium (pypdfium2).

pypdfium2 ships PDFium (Chrome's PDF engine) inside its wheel, so the worker needs no
system package, and PDFium copes with the damaged and unusual files people upload. It is
not thread-safe: the Celery worker runs tasks in processes, one document at a time.
"""

import io
from dataclasses import dataclass

from .editor_messages import failure

THUMBNAIL_WIDTH = 480
# A very tall first page (a scroll, a poster) is cut off here rather than rendered whole.
THUMBNAIL_MAX_HEIGHT = THUMBNAIL_WIDTH * 3
THUMBNAIL_FORMAT = "WEBP"
THUMBNAIL_EXTENSION = ".webp"
THUMBNAIL_CONTENT_TYPE = "image/webp"


def is_pdf(document):
    """Whether a Wagtail document is a PDF (by its file's extension, which Wagtail checks)."""
    return bool(document.file) and document.file.name.lower().endswith(".pdf")


class PdfUnreadable(Exception):
    """The file cannot be read as a PDF: ``failure`` (an ``editor_messages.Failure``) is for editors."""

    def __init__(self, code, **params):
        self.failure = failure(code, **params)
        super().__init__(self.failure.default_text())


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
            raise PdfUnreadable("pdf_locked") from exc
        raise PdfUnreadable("pdf_damaged", problem=str(exc)) from exc
    try:
        pages = len(pdf)
        if pages == 0:
            raise PdfUnreadable("pdf_no_pages")
        page = pdf[0]
        try:
            width_pt, height_pt = page.get_size()
            if width_pt <= 0 or height_pt <= 0:
                raise PdfUnreadable("pdf_no_size")
            scale = THUMBNAIL_WIDTH / width_pt
            # Only the top of a very tall page is drawn: a 1 pt wide, 14,400 pt tall page would
            # otherwise be rendered at millions of pixels before being cut.
            below = max(0.0, height_pt - THUMBNAIL_MAX_HEIGHT / scale)
            image = page.render(scale=scale, crop=(0, below, 0, 0)).to_pil()
        except pdfium.PdfiumError as exc:
            raise PdfUnreadable("pdf_not_rendered", problem=str(exc)) from exc
        finally:
            page.close()
    finally:
        pdf.close()
    if image.height > THUMBNAIL_MAX_HEIGHT:
        image = image.crop((0, 0, image.width, THUMBNAIL_MAX_HEIGHT))
    out = io.BytesIO()
    image.convert("RGB").save(out, THUMBNAIL_FORMAT, quality=80, method=4)
    return PdfFacts(pages=pages, thumbnail=out.getvalue(), width=image.width, height=image.height)
