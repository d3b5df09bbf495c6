"""Certificates: issuing one per student per course, rendering the PDF (ReportLab), storing and emailing it.

ReportLab draws the page and, with its own barcode module, the QR code of the verification
URL, so no second library is needed for it. The PDF is written through Django's storage
API (the filesystem, S3 or Azure, whichever is configured).
"""

import io

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from accounts.services import absolute_url, display_name, send_notification
from outbox.services import Claim, claim, finish, release

from . import signals
from .models import Certificate, Enrollment

INK = HexColor("#1b2a4a")
ACCENT = HexColor("#2f6f4f")


def verification_path(certificate):
    return reverse("courses:certificate_verify", args=[certificate.code])


def verification_url(certificate):
    """The public page confirming ``certificate``, as an absolute URL (on the PDF and in its QR code)."""
    return absolute_url(verification_path(certificate))


def issue_certificate(user, course):
    """The Certificate of ``user`` for ``course``: created once, found afterwards. ``(certificate, created)``.

    Returns ``(None, False)`` when the student has not completed the course. Concurrent
    calls make one row: the unique constraint refuses the second insert, which then
    reads the first.
    """
    enrollment = Enrollment.objects.filter(user=user, course=course, completed_at__isnull=False).first()
    if enrollment is None:
        return None, False
    existing = Certificate.objects.filter(user=user, course=course).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            certificate = Certificate.objects.create(
                user=user,
                course=course,
                student_name=display_name(user),
                course_title=course.title,
                instructor_names=", ".join(course.instructor_names),
                completed_at=enrollment.completed_at,
            )
    except IntegrityError:
        # Another call inserted it first; any other integrity error is re-raised.
        existing = Certificate.objects.filter(user=user, course=course).first()
        if existing is None:
            raise
        return existing, False
    signals.send_after_commit(
        signals.certificate_issued, Certificate, certificate=certificate, user=user, course=course
    )
    return certificate, True


def render_pdf(certificate):
    """The certificate as PDF bytes: name, course, date, instructors, verification code, URL and QR code."""
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    pdf.setTitle(f"Certificate: {certificate.course_title}")
    pdf.setAuthor("Ringlet")
    pdf.setSubject(f"Certificate {certificate.code}")
    pdf.setStrokeColor(ACCENT)
    pdf.setLineWidth(3)
    pdf.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    center = width / 2
    pdf.setFillColor(INK)
    pdf.setFont("Helvetica-Bold", 30)
    pdf.drawCentredString(center, height - 48 * mm, "Certificate of completion")
    pdf.setFont("Helvetica", 14)
    pdf.drawCentredString(center, height - 66 * mm, "This certifies that")
    pdf.setFont("Helvetica-Bold", 26)
    pdf.drawCentredString(center, height - 82 * mm, certificate.student_name)
    pdf.setFont("Helvetica", 14)
    pdf.drawCentredString(center, height - 98 * mm, "has completed the course")
    pdf.setFont("Helvetica-Bold", 20)
    pdf.drawCentredString(center, height - 112 * mm, certificate.course_title)
    pdf.setFont("Helvetica", 13)
    date = timezone.localtime(certificate.completed_at).strftime("%-d %B %Y")
    pdf.drawCentredString(center, height - 126 * mm, f"on {date}")
    if certificate.instructor_names:
        pdf.drawCentredString(center, height - 138 * mm, f"Instructors: {certificate.instructor_names}")

    url = verification_url(certificate)
    pdf.setFont("Helvetica", 10)
    pdf.drawString(24 * mm, 30 * mm, f"Verification code: {certificate.code}")
    pdf.drawString(24 * mm, 24 * mm, f"Verify at {url}")
    pdf.linkURL(url, (24 * mm, 22 * mm, 180 * mm, 34 * mm), relative=0)
    _draw_qr(pdf, url, x=width - 60 * mm, y=20 * mm, size=38 * mm)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _draw_qr(pdf, data, x, y, size):
    widget = QrCodeWidget(data)
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, pdf, x, y)


def store_pdf(certificate):
    """Render and store the PDF through the storage API, unless it is stored already; idempotent."""
    if certificate.file:
        return certificate
    certificate.file.save(
        f"certificate-{certificate.code}.pdf", ContentFile(render_pdf(certificate)), save=False
    )
    Certificate.objects.filter(pk=certificate.pk).update(file=certificate.file.name)
    return certificate


def email_certificate(certificate):
    """Email the PDF to the student once; returns whether this call sent it.

    No database lock is held while the mail server is talked to (it may hang until
    ``EMAIL_TIMEOUT``): the certificate is claimed in one short UPDATE, the email sent, then
    ``emailed_at`` recorded (``outbox.services.claim``). A send that fails releases the claim
    and raises, so the task's retry may send at once; a claim left by a killed worker expires
    after ``DELIVERY_LEASE``, before Redis redelivers that worker's task. A student who opted
    out of certificate email is marked done without a message; the dashboard still offers the
    download. False also when it was sent already or another worker is sending it.
    """
    rows = Certificate.objects.filter(pk=certificate.pk)
    if claim(rows, done="emailed_at", claimed="email_claimed_at") is not Claim.CLAIMED:
        return False
    try:
        claimed = rows.select_related("user").get()
        with claimed.file.open("rb") as handle:
            content = handle.read()
        sent = send_notification(
            claimed.user,
            "certificates",
            f"Your certificate for “{claimed.course_title}”",
            "courses/email/certificate",
            {"certificate": claimed, "verification_url": verification_url(claimed)},
            attachments=[(f"certificate-{claimed.code}.pdf", content, "application/pdf")],
        )
    except BaseException:
        release(rows, claimed="email_claimed_at")
        raise
    finish(rows, done="emailed_at", claimed="email_claimed_at")
    return sent


def certificate_for(user, course):
    """``user``'s certificate for ``course``, or None (for the dashboard and the download view)."""
    return Certificate.objects.filter(user=user, course=course).first()
