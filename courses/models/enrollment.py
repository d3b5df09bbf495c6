"""Enrollment: which students take which course, and when they completed it.

The rules around it are in ``courses/enrollment.py`` (windows, capacity, prerequisites)
and ``courses/progress.py`` (completion).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Enrollment(models.Model):
    """One student in one course; at most one row per pair (a double submit cannot add a second)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments")
    course = models.ForeignKey("courses.CoursePage", on_delete=models.CASCADE, related_name="enrollments")
    enrolled_at = models.DateTimeField(default=timezone.now)
    last_activity_at = models.DateTimeField(default=timezone.now)
    # Set the first time every lesson is complete and never overwritten, so that
    # lessons added later do not take a course (or a prerequisite) away from a student.
    completed_at = models.DateTimeField(null=True, blank=True)
    # When the confirmation email went out (or was found not wanted: an opt-out, no address).
    # Empty ones are found by the recovery sweep (courses/recovery.py); the claim is held while
    # one task sends it, so two never do (outbox.services.claim).
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirmation_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="unique_enrollment_per_course")
        ]
        indexes = [models.Index(fields=["course", "completed_at"])]

    def __str__(self):
        return f"{self.user} in {self.course_id}"


def validate_enrollment_window(course):
    """Refuse a window that closes before it opens (called from ``CoursePage.clean``)."""
    opens, closes = course.enrollment_opens_at, course.enrollment_closes_at
    if opens and closes and closes <= opens:
        raise ValidationError({"enrollment_closes_at": _("Enrollment must close after it opens.")})
