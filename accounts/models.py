"""Email preferences: which kinds of notification email a user wants (all of them unless they opt out)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# The kinds of notification email, each with its own opt-out and its own unsubscribe salt.
# Account emails (verification, password reset) are not notifications and always go out.
EMAIL_KINDS = {
    "enrollment": _("Enrollment confirmations"),
    "reminders": _("Reminders when you have not been back to a course for a week"),
    "certificates": _("Your certificates when you complete a course"),
    "digest": _("The weekly digest of your courses, for instructors"),
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
        verbose_name_plural = _("email preferences")

    def __str__(self):
        return f"Email preferences of {self.user}"


class CertificateName(models.Model):
    """The name a student wants printed on their certificates, asked at sign-up.

    Students change it on their account page until a certificate carries it; after that an
    editor corrects it by reissuing the certificate (``accounts.services.certificate_name``).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="name_on_certificates"
    )
    name = models.CharField(max_length=200)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.name


class LanguagePreference(models.Model):
    """The language a user chose for the interface (their account page, or the language switcher
    while logged in): applied at login and on the views that have no page language (README,
    "Languages"). A page's own language is still its URL's."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="language_preference"
    )
    language = models.CharField(max_length=16)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.user}: {self.language}"
