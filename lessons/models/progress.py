"""What each student has done in a lesson: completions and playback positions.

The rules are in ``lessons/completion.py`` and ``lessons/playback.py``.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtailmedia.settings import wagtailmedia_settings

# A media item counts as watched once a student has reached this share of it.
WATCHED_RATIO = 0.9


class LessonCompletion(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_completions"
    )
    lesson = models.ForeignKey("lessons.LessonPage", on_delete=models.CASCADE, related_name="completions")
    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "lesson"], name="unique_lesson_completion")]

    def __str__(self):
        return f"{self.user} completed {self.lesson_id}"


class PlaybackPosition(models.Model):
    """Where a student is in one media item (per student per media item, whichever lesson shows it)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="playback_positions"
    )
    media = models.ForeignKey(wagtailmedia_settings.MEDIA_MODEL, on_delete=models.CASCADE, related_name="+")
    lesson = models.ForeignKey(
        "lessons.LessonPage",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The lesson the student last watched it in."),
    )
    position = models.FloatField(help_text=_("Seconds from the start."))
    duration = models.FloatField(help_text=_("Length of the media in seconds, as the player reports it."))
    furthest = models.FloatField(default=0, help_text=_("The furthest point reached, in seconds."))
    watched_at = models.DateTimeField(null=True, blank=True, help_text=_("When 90% was first reached."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "media"], name="unique_playback_position")]

    def __str__(self):
        return f"{self.user} at {self.position:.0f}s of media {self.media_id}"

    @property
    def watched(self):
        return self.watched_at is not None
