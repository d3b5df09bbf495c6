"""The lesson page: a StreamField body of the shared blocks, a time estimate and a preview flag."""

from django.core.validators import MaxValueValidator
from django.db import models
from rest_framework import serializers
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from home.blocks import LESSON_BLOCKS


class PreviewBodyField(serializers.Field):
    """The lesson body in the API, for those who may read the lesson (``can_view_lesson``), else null.

    The same rule as the lesson page: free previews for anyone, the rest for enrolled students.
    """

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, lesson):
        from .tracking import can_view_lesson

        request = self.context.get("request")
        if request is None or not can_view_lesson(request.user, lesson):
            return None
        return lesson.body.stream_block.get_api_representation(lesson.body, self.context)


class CourseField(serializers.Field):
    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, lesson):
        from .services import course_of_lesson

        course = course_of_lesson(lesson)
        return {"id": course.pk, "title": course.title} if course else None


class LessonPage(Page):
    summary = models.TextField(blank=True, max_length=300, help_text="Shown in search results.")
    body = StreamField(LESSON_BLOCKS, blank=True, help_text="The lesson itself, built from blocks.")
    estimated_minutes = models.PositiveSmallIntegerField(
        default=10,
        validators=[MaxValueValidator(600)],
        help_text="How long a student needs for this lesson, in minutes.",
    )
    free_preview = models.BooleanField(
        default=False, help_text="Anyone may read this lesson, enrolled or not (a taste of the course)."
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        MultiFieldPanel(
            [FieldPanel("estimated_minutes"), FieldPanel("free_preview")], heading="Lesson settings"
        ),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body")]

    api_fields = [
        APIField("summary"),
        APIField("estimated_minutes"),
        APIField("free_preview"),
        APIField("course", serializer=CourseField()),
        APIField("body", serializer=PreviewBodyField()),
    ]

    parent_page_types = ["courses.CoursePage", "courses.ModulePage"]
    subpage_types = []

    class Meta:
        verbose_name = "lesson"

    def get_context(self, request, *args, **kwargs):
        from .services import lesson_navigation

        context = super().get_context(request, *args, **kwargs)
        context.update(lesson_navigation(self))
        return context


from .progress import LessonCompletion, PlaybackPosition  # noqa: E402, F401
