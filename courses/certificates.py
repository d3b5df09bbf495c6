"""Certificates: issuing one per student per course, rendering the PDF (ReportLab), storing and emailing it.

ReportLab draws the page and, with its own barcode module, the QR code of the verification
URL, so no second library is needed for it. The PDF is written through Django's storage
API (the filesystem, S3 or Azure, whichever is configured).
"""

import io
import logging
from urllib.parse import urlencode

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from accounts.services import (
    absolute_url,
    certificate_name,
    language_preference,
    send_notification,
    set_certificate_name,
)
from outbox.services import Claim, claim, finish, release
from pagetree.services import in_language, source_page

from . import signals
from .models import Certificate, Enrollment

logger = logging.getLogger(__name__)

INK = HexColor("#1b2a4a")
ACCENT = HexColor("#2f6f4f")


def verification_path(certificate):
    return reverse("courses:certificate_verify", args=[certificate.code])


def verification_url(certificate):
    """The public page confirming ``certificate``, as an absolute URL (on the PDF and in its QR code)."""
    return absolute_url(verification_path(certificate))


# LinkedIn's "Add to profile" form for a licence or certification, filled in by its query
# string (https://addtoprofile.linkedin.com): nothing is sent to LinkedIn until the student
# follows the link and saves.
LINKEDIN_ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"


def linkedin_url(certificate):
    """The link that opens LinkedIn's "Add licence or certification" form filled in with ``certificate``."""
    completed = timezone.localtime(certificate.completed_at)
    query = {
        "startTask": "CERTIFICATION_NAME",
        "name": certificate.course_title,
        "organizationName": settings.WAGTAIL_SITE_NAME,
        "issueYear": completed.year,
        "issueMonth": completed.month,
        "certUrl": verification_url(certificate),
        "certId": certificate.code,
    }
    return f"{LINKEDIN_ADD_TO_PROFILE}?{urlencode(query)}"


def certificate_language(user, course):
    """The language a certificate is issued in: the student's (their account's), else the
    course page's (README, "Languages")."""
    return language_preference(user) or course.locale.language_code


def certificate_for(user, course):
    """``user``'s certificate for ``course``, or None, whether or not the enrollment still exists."""
    return Certificate.objects.filter(user=user, course=course).first()


def issue_certificate(user, course):
    """The Certificate of ``user`` for ``course``: created once, found afterwards. ``(certificate, created)``.

    Returns ``(None, False)`` when the student has not completed the course. Concurrent
    calls make one row: the unique constraint refuses the second insert, which then
    reads the first.
    """
    course = source_page(course)  # one certificate per course, whichever language it was taken in
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
                student_name=certificate_name(user),
                # The course's title in the certificate's language, when it is translated.
                course_title=in_language(course, certificate_language(user, course)).title,
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
    with translation.override(certificate_language(certificate.user, certificate.course)):
        return _render_pdf(certificate)


def _render_pdf(certificate):
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    pdf.setTitle(_("Certificate: %(course)s") % {"course": certificate.course_title})
    pdf.setAuthor("Ringlet")
    pdf.setSubject(_("Certificate %(code)s") % {"code": certificate.code})
    pdf.setStrokeColor(ACCENT)
    pdf.setLineWidth(3)
    pdf.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    center = width / 2
    pdf.setFillColor(INK)
    pdf.setFont("Helvetica-Bold", 30)
    pdf.drawCentredString(center, height - 48 * mm, _("Certificate of completion"))
    pdf.setFont("Helvetica", 14)
    pdf.drawCentredString(center, height - 66 * mm, _("This certifies that"))
    pdf.setFont("Helvetica-Bold", 26)
    pdf.drawCentredString(center, height - 82 * mm, certificate.student_name)
    pdf.setFont("Helvetica", 14)
    pdf.drawCentredString(center, height - 98 * mm, _("has completed the course"))
    pdf.setFont("Helvetica-Bold", 20)
    pdf.drawCentredString(center, height - 112 * mm, certificate.course_title)
    pdf.setFont("Helvetica", 13)
    # The month's name in the active language ("5 December 2026", "5 décembre 2026").
    date = dateformat.format(timezone.localtime(certificate.completed_at), "j F Y")
    pdf.drawCentredString(center, height - 126 * mm, _("on %(date)s") % {"date": date})
    if certificate.instructor_names:
        instructors = _("Instructors: %(names)s") % {"names": certificate.instructor_names}
        pdf.drawCentredString(center, height - 138 * mm, instructors)

    url = verification_url(certificate)
    pdf.setFont("Helvetica", 10)
    pdf.drawString(24 * mm, 30 * mm, _("Verification code: %(code)s") % {"code": certificate.code})
    pdf.drawString(24 * mm, 24 * mm, _("Verify at %(url)s") % {"url": url})
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
    """Render and store the PDF through the storage API, unless it is stored already; idempotent.

    The row is read afresh under a lock: a certificate reissued meanwhile (a corrected name)
    is rendered as it is now, never from a copy read before the correction.
    """
    with transaction.atomic():
        current = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if not current.file:
            current.file.save(f"certificate-{current.code}.pdf", ContentFile(render_pdf(current)), save=False)
            Certificate.objects.filter(pk=current.pk).update(file=current.file.name)
    certificate.file, certificate.student_name = current.file, current.student_name
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
            format_lazy(gettext_lazy("Your certificate for “{title}”"), title=claimed.course_title),
            "courses/email/certificate",
            {"certificate": claimed, "verification_url": verification_url(claimed)},
            attachments=[(f"certificate-{claimed.code}.pdf", content, "application/pdf")],
            language=certificate_language(claimed.user, claimed.course),
        )
    except BaseException:
        release(rows, claimed="email_claimed_at")
        raise
    finish(rows, done="emailed_at", claimed="email_claimed_at")
    return sent


def has_certificate(user):
    """Whether any certificate carries ``user``'s name (then only an editor may correct it)."""
    return Certificate.objects.filter(user=user).exists()


def reissue_certificate(certificate, previous_name):
    """After an editor corrected the name on ``certificate`` (saved already): the student's
    account takes the corrected name too, so later certificates carry it, and the PDF and its
    email are to be made again, under the same code and verification URL.

    The old PDF is deleted once the change is committed. The caller then enqueues the
    ``courses.tasks.issue_certificate`` task, which renders, stores and emails the new one.
    """
    set_certificate_name(certificate.user, certificate.student_name)
    old_file = certificate.file.name
    Certificate.objects.filter(pk=certificate.pk).update(file="", emailed_at=None, email_claimed_at=None)
    certificate.file, certificate.emailed_at = None, None
    if old_file:
        storage = Certificate._meta.get_field("file").storage
        transaction.on_commit(lambda: storage.delete(old_file), robust=True)
    logger.info(
        "certificate %s reissued: %r corrected to %r",
        certificate.code,
        previous_name,
        certificate.student_name,
    )
    return certificate


def finished_certificates():
    """Certificates whose PDF is stored and whose email went out (or was not wanted)."""
    return Certificate.objects.filter(emailed_at__isnull=False).exclude(Q(file="") | Q(file__isnull=True))


def completions_without_certificate(completed_before=None):
    """Completed enrollments whose certificate is not finished (no row, no PDF, or not emailed).

    ``completed_before`` leaves out the recent completions whose task may still be running
    (the metric behind the "certificates not issued" alert; ``manage.py issue_certificates``).
    """
    finished = finished_certificates().filter(user=OuterRef("user"), course=OuterRef("course"))
    pending = Enrollment.objects.filter(completed_at__isnull=False).exclude(Exists(finished))
    if completed_before is not None:
        pending = pending.filter(completed_at__lt=completed_before)
    return pending
