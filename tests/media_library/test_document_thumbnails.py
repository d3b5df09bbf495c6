"""The worker reads PDFs (page count, first-page thumbnail); thumbnails are served like their document."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from courses.services import enroll
from media_library import services
from media_library.models import DocumentInfo
from media_library.pdf import THUMBNAIL_MAX_HEIGHT, THUMBNAIL_WIDTH
from media_library.tasks import record_document_info
from tests.factories import LessonPageFactory, UserFactory
from tests.media_fixtures import make_document, make_pdf

pytestmark = pytest.mark.django_db


def thumbnail_image(info):
    with default_storage.open(info.thumbnail.name, "rb") as fh:
        data = fh.read()
    return data, Image.open(io.BytesIO(data))


def test_the_worker_renders_a_first_page_thumbnail_and_records_the_page_count():
    document = make_document(make_pdf(pages=3))

    assert record_document_info(document.pk) == 3

    info = DocumentInfo.objects.get(document=document)
    assert (info.page_count, info.error) == (3, "")
    assert info.thumbnail.name.startswith(f"document_thumbnails/{document.pk}/")
    data, image = thumbnail_image(info)
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    assert image.size == (info.thumbnail_width, info.thumbnail_height)
    # A4's proportions at the thumbnail's width: the first page, not a blank or cropped one.
    assert abs(image.width - THUMBNAIL_WIDTH) <= 1
    assert abs(image.height - round(THUMBNAIL_WIDTH * A4[1] / A4[0])) <= 2
    grey = image.convert("L")
    assert grey.getpixel((image.width // 2, image.height // 4)) < 40  # the black band
    assert grey.getpixel((image.width // 2, image.height * 3 // 4)) > 215  # white paper
    facts = services.document_facts(document)
    assert facts.page_count == 3
    assert facts.thumbnail_url == f"/media-files/documents/{document.pk}/thumbnail.webp"
    assert (facts.thumbnail_width, facts.thumbnail_height) == image.size


def test_a_very_tall_first_page_is_drawn_only_down_to_the_thumbnails_height():
    # 2 pt wide and 14,000 pt tall: drawn whole at the thumbnail's width it would be a
    # 480 x 3,360,000 pixel bitmap, which PDFium refuses to allocate.
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=(2, 14_000))
    pdf.rect(0, 13_990, 2, 10, stroke=0, fill=1)  # black at the very top
    pdf.showPage()
    pdf.save()
    document = make_document(out.getvalue(), name="scroll.pdf")

    assert record_document_info(document.pk) == 1

    info = DocumentInfo.objects.get(document=document)
    assert info.error == ""
    _, image = thumbnail_image(info)
    assert abs(image.width - THUMBNAIL_WIDTH) <= 1 and image.height == THUMBNAIL_MAX_HEIGHT
    assert image.convert("L").getpixel((image.width // 2, 10)) < 40  # the top, not the bottom


def test_reading_a_document_again_changes_nothing_and_a_new_file_replaces_its_thumbnail(
    django_capture_on_commit_callbacks,
):
    document = make_document(make_pdf(pages=2))
    record_document_info(document.pk)
    first = DocumentInfo.objects.get(document=document).thumbnail.name

    assert record_document_info(document.pk) == 2
    assert DocumentInfo.objects.get(document=document).thumbnail.name == first
    assert services.enqueue_document_info(document) is False  # nothing left to do

    document.file.save("handout-v2.pdf", ContentFile(make_pdf(pages=5)), save=False)
    document.save()
    assert services.page_count(document) is None  # the old file's facts are not this file's
    with django_capture_on_commit_callbacks(execute=True):
        assert record_document_info(document.pk) == 5
    info = DocumentInfo.objects.get(document=document)
    assert info.thumbnail.name != first and default_storage.exists(info.thumbnail.name)
    assert not default_storage.exists(first)


def test_a_corrupt_pdf_records_a_reason_and_no_thumbnail_without_failing_the_task():
    # The start of a real PDF, cut short: a header and objects, no cross-reference table.
    document = make_document(make_pdf()[:600], name="cut.pdf")

    assert record_document_info(document.pk) is None

    info = DocumentInfo.objects.get(document=document)
    assert info.error.startswith("Could not read the PDF")
    assert (info.page_count, info.thumbnail.name) == (None, "")
    assert services.document_facts(document) == services.DocumentFacts()
    assert services.enqueue_document_info(document) is False  # a recorded failure is not retried


def test_a_password_protected_pdf_says_so():
    document = make_document(make_pdf(encrypt="secret"), name="locked.pdf")

    assert record_document_info(document.pk) is None

    info = DocumentInfo.objects.get(document=document)
    assert info.error.startswith("The PDF is protected by a password, so students would be asked for one")
    assert not info.thumbnail


def test_a_document_that_is_not_a_pdf_gets_facts_but_no_thumbnail():
    document = make_document(b"plain notes", name="notes.txt", title="Notes")
    assert record_document_info(document.pk) is None
    info = DocumentInfo.objects.get(document=document)
    assert (info.page_count, info.thumbnail.name, info.error) == (None, "", "")


def test_a_deleted_document_takes_its_thumbnail_along(django_capture_on_commit_callbacks):
    document = make_document(make_pdf(pages=1))
    record_document_info(document.pk)
    name = DocumentInfo.objects.get(document=document).thumbnail.name
    with django_capture_on_commit_callbacks(execute=True):
        document.delete()
    assert not default_storage.exists(name)


def thumbnail_status(client, document, user=None):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(services.document_facts(document).thumbnail_url).status_code


def test_a_gated_documents_thumbnail_is_refused_to_anonymous_visitors(client, course, student):
    handout = make_document(make_pdf(pages=2))
    lesson = LessonPageFactory(
        parent=course,
        title="Gated with a handout",
        body=[("document", {"document": handout, "caption": "", "show_inline": True})],
    )
    lesson.refresh_from_db()
    record_document_info(handout.pk)
    enroll(student, course)

    assert thumbnail_status(client, handout) == 403
    assert thumbnail_status(client, handout, UserFactory(username="curious")) == 403
    assert thumbnail_status(client, handout, student) == 200
    assert client.get(handout.url).status_code == 200  # the same rule as the PDF itself
    assert thumbnail_status(client, handout, UserFactory(username="staff", is_staff=True)) == 200


def test_a_free_preview_documents_thumbnail_is_an_image_anyone_may_see(client, course):
    handout = make_document(make_pdf(pages=1))
    LessonPageFactory(
        parent=course,
        title="Free with a handout",
        free_preview=True,
        body=[("document", {"document": handout, "caption": "", "show_inline": True})],
    ).refresh_from_db()
    record_document_info(handout.pk)

    response = client.get(services.document_facts(handout).thumbnail_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert response["Cache-Control"] == "private, max-age=60"
    assert b"".join(response.streaming_content)[8:12] == b"WEBP"


def test_a_document_not_read_yet_has_no_thumbnail_to_serve(client):
    handout = make_document(make_pdf(pages=1))
    assert services.document_facts(handout).thumbnail_url == ""
    assert client.get(f"/media-files/documents/{handout.pk}/thumbnail.webp").status_code == 404


def test_read_documents_queues_only_the_documents_not_read_yet(django_capture_on_commit_callbacks):
    from django.core.management import call_command

    read, unread, broken = (make_document(make_pdf(pages=1), title=t) for t in ("Read", "Unread", "Broken"))
    record_document_info(read.pk)
    DocumentInfo.objects.create(document=broken, file_name=broken.file.name, error="Could not read the PDF")
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        call_command("read_documents", stdout=out)
    assert out.getvalue().strip() == "Queued 1 document(s) for reading."
    assert len(callbacks) == 1
    # The one queued: the unread document (the rule the command applies to each).
    with django_capture_on_commit_callbacks(execute=False):
        queued = [d.title for d in (read, unread, broken) if services.enqueue_document_info(d)]
    assert queued == ["Unread"]
