"""Learning records waiting for (or already handed to) the Learning Record Store, and video sessions.

Every statement is written here first, with its UUID, in the transaction of the event it
records (or right after it commits); a task sends it. A resend carries the same id and the
same content, so the LRS keeps one copy (xAPI 1.0.3: a statement id is unique, and an LRS
answers a duplicate it already holds without storing it again).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Statement(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    verb = models.CharField(max_length=255, help_text=_("The verb's IRI, for the admin and the logs"))
    statement = models.JSONField(help_text=_("The statement exactly as it is sent, id included"))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    tries = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["sent_at", "created_at"], name="xapi_unsent")]

    def __str__(self):
        return f"{self.verb} ({self.id})"


class VideoSession(models.Model):
    """What a student played of one media item in one sitting: the xAPI video profile's session
    (its id, and the played segments the paused and completed statements report)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    media_id = models.BigIntegerField()
    session_id = models.UUIDField(default=uuid.uuid4)
    segments = models.JSONField(default=list, help_text=_("[[start, end], ...] seconds played"))
    playing_from = models.FloatField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "media_id"], name="unique_video_session")]

    def __str__(self):
        return f"{self.user_id} watching media {self.media_id} (session {self.session_id})"
