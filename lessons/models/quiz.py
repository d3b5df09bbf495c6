"""Quiz attempts: every submission a student makes, graded on the server (``lessons/quiz.py``)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class QuizAttempt(models.Model):
    """One graded submission of one quiz block (``quiz_id`` is the block's id in the lesson body)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts")
    lesson = models.ForeignKey("lessons.LessonPage", on_delete=models.CASCADE, related_name="quiz_attempts")
    quiz_id = models.CharField(max_length=64, help_text=_("The quiz block's id in the lesson body."))
    answers = models.JSONField(help_text=_("{question id: [chosen option ids]}"))
    question_scores = models.JSONField(help_text=_("{question id: score between 0 and 1}"))
    score = models.FloatField(help_text=_("Percent, 0 to 100."))
    pass_mark = models.PositiveSmallIntegerField(help_text=_("The quiz's pass mark when it was taken."))
    passed = models.BooleanField()
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["user", "lesson", "quiz_id"]),
            models.Index(fields=["lesson", "quiz_id"]),
        ]
        ordering = ["submitted_at", "pk"]

    def __str__(self):
        return f"{self.user} scored {self.score:.0f}% on quiz {self.quiz_id}"
