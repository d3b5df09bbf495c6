"""Absolute links follow the site's configured address: `make run` on another port, emails and
their unsubscribe links, the certificate's URL and QR code, and the API's URLs."""

import io

import pytest
from django.core import mail
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from courses.certificates import _draw_qr, issue_certificate, render_pdf
from courses.services import enroll
from courses.tasks import send_enrollment_confirmation
from lessons.services import set_lesson_complete
from tests.account_fixtures import make_student
from tests.page_fixtures import lessons_of
from tests.processes import child_env, run_python

BASE = "http://127.0.0.1:8400"
SHOW_BASE = (
    "import django; django.setup(); from django.conf import settings; print(settings.WAGTAILADMIN_BASE_URL)"
)


def dev_base_url(**env):
    result = run_python(SHOW_BASE, child_env(DJANGO_SETTINGS_MODULE="portal.settings.dev", **env))
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_make_run_links_to_the_port_it_serves_on():
    """`WEB_PORT=8400 make run`: runserver listens there (Procfile), and so do the links."""
    assert dev_base_url(WEB_PORT=8400, WAGTAILADMIN_BASE_URL=None) == BASE
    assert dev_base_url(WEB_PORT=None, WAGTAILADMIN_BASE_URL=None) == "http://127.0.0.1:8000"
    assert dev_base_url(WEB_PORT=8400, WAGTAILADMIN_BASE_URL="https://learn.example.com") == (
        "https://learn.example.com"
    )


@pytest.fixture
def on_port_8400(settings):
    settings.WAGTAILADMIN_BASE_URL = BASE


def qr_operations(url):
    """The PDF drawing operations of the certificate's QR code for ``url``, as render_pdf places it."""
    buffer = io.BytesIO()
    width, _ = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=landscape(A4))
    _draw_qr(pdf, url, x=width - 60 * mm, y=20 * mm, size=38 * mm)
    pdf.showPage()
    pdf.save()
    data = PdfReader(io.BytesIO(buffer.getvalue())).pages[0].get_contents().get_data()
    # Without the canvas' opening state (font and matrix), which the certificate sets too.
    return data[data.index(b"q\n") :].rstrip()


@pytest.mark.django_db
def test_emails_unsubscribe_links_and_the_certificate_use_the_configured_address(on_port_8400, course):
    student = make_student("nina@example.com", first_name="Nina", last_name="Newbie")
    enrollment, _ = enroll(student, course)
    send_enrollment_confirmation(enrollment.pk)
    (message,) = mail.outbox
    assert f"{BASE}{course.url}" in message.body
    assert message.extra_headers["List-Unsubscribe"].startswith(f"<{BASE}/accounts/unsubscribe/enrollment/")
    assert message.extra_headers["List-Unsubscribe"][1:-1] in message.alternatives[0][0]

    for lesson in lessons_of(course):
        set_lesson_complete(student, lesson)
    certificate, _ = issue_certificate(student, course)
    url = f"{BASE}/certificates/{certificate.code}/"
    page = PdfReader(io.BytesIO(render_pdf(certificate))).pages[0]
    assert f"Verify at {url}" in page.extract_text()
    links = [annotation.get_object()["/A"]["/URI"] for annotation in page["/Annots"]]
    assert links == [url]
    drawn = page.get_contents().get_data()
    assert qr_operations(url) in drawn
    assert qr_operations(f"http://127.0.0.1:8000/certificates/{certificate.code}/") not in drawn


@pytest.mark.django_db
def test_the_api_gives_the_parents_html_url_on_the_same_address_as_the_page(client, course, settings):
    settings.ALLOWED_HOSTS = ["learn.example.com", "testserver"]
    lesson = lessons_of(course)[0]
    for endpoint, page in (("lessons", lesson), ("courses", course)):
        meta = client.get(f"/api/{endpoint}/{page.pk}/", HTTP_HOST="learn.example.com").json()["meta"]
        assert meta["html_url"] == f"http://learn.example.com{page.url}"
        parent = meta["parent"]["meta"]
        assert parent["html_url"] == f"http://learn.example.com{page.get_parent().url}", endpoint
    settings.WAGTAILAPI_BASE_URL = "https://cdn.example.org"
    meta = client.get(f"/api/lessons/{lesson.pk}/", HTTP_HOST="learn.example.com").json()["meta"]
    assert meta["parent"]["meta"]["html_url"] == f"https://cdn.example.org{lesson.get_parent().url}"
