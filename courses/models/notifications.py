"""What the course emails have sent, so that each is sent at most as often as its rule allows."""

from django.conf import settings
from django.db import models


class StudentReminder(models.Model):
    """The last reminder a student was sent (one row per student: at most one reminder a week)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_reminder"
    )
    last_sent_at = models.DateTimeField()

    def __str__(self):
        return f"{self.user} reminded at {self.last_sent_at:%Y-%m-%d %H:%M}"


class InstructorDigest(models.Model):
    """A weekly digest sent to an instructor's user, once per week (``week`` is that week's Monday)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week = models.DateField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "week"], name="unique_digest_per_week")]

    def __str__(self):
        return f"Digest for {self.user}, week of {self.week}"
