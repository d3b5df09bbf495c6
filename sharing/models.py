"""Share links: a secret URL showing the latest draft of one page to anyone who has it.

Only a SHA-256 hash of each token is stored (``services.create_link`` hands the token out
once), so a database leak does not open the drafts. Tokens are 256 random bits.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ShareLink(models.Model):
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        on_delete=models.SET_NULL,
        related_name="share_links",
        help_text=_("Emptied when the page is deleted; the link then says so (410)."),
    )
    page_title = models.CharField(max_length=255, help_text=_("The page's title when the link was made."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["page", "-created_at"])]

    def __str__(self):
        return f"Share link to “{self.page_title}”"

    def status(self, now=None):
        """ "active", "expired", "revoked" or "deleted" (its page is gone)."""
        if self.revoked_at:
            return "revoked"
        if self.page_id is None:
            return "deleted"
        if (now or timezone.now()) >= self.expires_at:
            return "expired"
        return "active"
