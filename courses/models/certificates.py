"""Certificates of completion: one per student per course, verifiable by a public code."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# No 0/O or 1/I/L: codes are read off paper and typed in.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_certificate_code():
    """A random code like ``K7QX-M2PA-9RTW`` (12 characters, about 59 bits)."""
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return "-".join(chars[i : i + 4] for i in range(0, 12, 4))


def certificate_upload_to(certificate, filename):
    # A random directory, so knowing a (public) code is not enough to guess the file's path.
    return f"certificates/{secrets.token_hex(8)}/{filename}"


class Certificate(models.Model):
    """Issued when a student completes a course; what it says is kept as issued."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="certificates",
        verbose_name=_("user"),
    )
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.CASCADE, related_name="certificates", verbose_name=_("course")
    )
    code = models.CharField(max_length=20, unique=True, default=new_certificate_code, editable=False)
    student_name = models.CharField(max_length=300, verbose_name=_("student name"))
    course_title = models.CharField(max_length=255, verbose_name=_("course title"))
    instructor_names = models.CharField(max_length=1000, blank=True, verbose_name=_("instructor names"))
    completed_at = models.DateTimeField(
        help_text=_("When the student completed the course."), verbose_name=_("completed at")
    )
    issued_at = models.DateTimeField(default=timezone.now, verbose_name=_("issued at"))
    file = models.FileField(upload_to=certificate_upload_to, blank=True, editable=False)
    emailed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Held while one task emails it, so two never do, with no row lock across the mail server
    # (outbox.services.claim); an abandoned claim expires after DELIVERY_LEASE seconds.
    email_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked = models.BooleanField(
        default=False,
        help_text=_("A revoked certificate shows as revoked on its verification page."),
        verbose_name=_("revoked"),
    )
    revoked_reason = models.CharField(
        max_length=300,
        blank=True,
        help_text=_("Shown on the verification page."),
        verbose_name=_("revoked reason"),
    )
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    # Registered as a snippet (for revoking), but it holds no references worth indexing, so
    # Wagtail's reference index needs no row (and no content type lookup) per certificate.
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="unique_certificate_per_course")
        ]
        ordering = ["-issued_at"]

    def __str__(self):
        return f"{self.code}: {self.student_name}, {self.course_title}"

    def save(self, *args, **kwargs):
        # The time follows the flag, whichever way the admin sets it.
        if self.revoked and self.revoked_at is None:
            self.revoked_at = timezone.now()
        elif not self.revoked:
            self.revoked_at = None
        super().save(*args, **kwargs)
