"""Email preferences: which kinds of notification email a user wants (all of them unless they opt out)."""

from django.conf import settings
from django.db import models

# The kinds of notification email, each with its own opt-out and its own unsubscribe salt.
# Account emails (verification, password reset) are not notifications and always go out.
EMAIL_KINDS = {
    "enrollment": "Enrollment confirmations",
    "reminders": "Reminders when you have not been back to a course for a week",
    "certificates": "Your certificates when you complete a course",
    "digest": "The weekly digest of your courses, for instructors",
}


class EmailPreferences(models.Model):
    """One row per user who changed a preference; a user without one gets every kind."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preferences"
    )
    enrollment = models.BooleanField(default=True)
    reminders = models.BooleanField(default=True)
    certificates = models.BooleanField(default=True)
    digest = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "email preferences"

    def __str__(self):
        return f"Email preferences of {self.user}"
