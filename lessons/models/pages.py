"""The lesson page: a StreamField body of the shared blocks, a time estimate and a preview flag."""

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models.functions import Cast
from django.utils.cache import patch_cache_control
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from courses.models import CoursePage, ModulePage
from courses.services import PREVIEW_MODES, course_of, is_reachable, serve_preview_as
from pagetree.services import CachedViewRestrictionsMixin
from sharing.panels import ShareLinksPanel

from ..blocks import LESSON_BLOCKS
from ..forms import LessonPageForm

# Block types in a lesson body that play media, and the field holding the media id.
MEDIA_BLOCKS = {"video": "video", "audio": "audio"}
# Block types that are requirements of their own; a lesson with one cannot complete by watching alone.
REQUIREMENT_BLOCKS = {"quiz", "package"}
# Block types holding code, indexed apart from prose (a weak match).
CODE_BLOCKS = {"code"}


class PreviewBodyField(serializers.Field):
    """The lesson body in the API for readers who may read the lesson, else null.

    The API view decides (``may_read``, the lesson page's own gating rule), so the model
    needs no access code; without a view that says yes the body is withheld.
    """

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, lesson):
        view = self.context.get("view")
        may_read = getattr(view, "may_read", None)
        if may_read is None or not may_read(lesson):
            return None
        return lesson.body.stream_block.get_api_representation(lesson.body, self.context)


class CourseField(serializers.Field):
    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, lesson):
        course = lesson.course
        return {"id": course.pk, "title": course.title} if course else None


class LessonPage(CachedViewRestrictionsMixin, Page):
    summary = models.TextField(
        blank=True, max_length=300, help_text=_("Shown in search results."), verbose_name=_("summary")
    )
    body = StreamField(
        LESSON_BLOCKS,
        blank=True,
        help_text=_("The lesson itself, built from blocks."),
        verbose_name=_("body"),
    )
    estimated_minutes = models.PositiveSmallIntegerField(
        default=10,
        validators=[MaxValueValidator(600)],
        help_text=_("How long a student needs for this lesson, in minutes."),
        verbose_name=_("estimated minutes"),
    )
    free_preview = models.BooleanField(
        default=False,
        help_text=_("Anyone may read this lesson, enrolled or not (a taste of the course)."),
        verbose_name=_("free preview"),
    )
    opens_after_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(3650)],
        help_text=_(
            "Drip release: the lesson opens this many days after each student enrolls. "
            "Blank: open at once. Free previews are always open."
        ),
        verbose_name=_("opens after days"),
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        MultiFieldPanel(
            [FieldPanel("estimated_minutes"), FieldPanel("free_preview"), FieldPanel("opens_after_days")],
            heading=_("Lesson settings"),
        ),
        FieldPanel("body"),
    ]
    settings_panels = Page.settings_panels + [ShareLinksPanel()]
    # Refuses to publish a lesson using a document the worker could not read (lessons/forms.py).
    base_form_class = LessonPageForm
    # The search index is public: anyone can probe it through the catalogue or the API, so a
    # gated lesson contributes only its title and summary (never its body), and code is kept
    # apart from prose so a course matching only in a code block ranks below the others.
    search_fields = Page.search_fields + [
        index.SearchField("summary", boost=2),
        index.SearchField("public_prose"),
        index.SearchField("public_code", boost=0.2),
    ]

    api_fields = [
        APIField("summary"),
        APIField("estimated_minutes"),
        APIField("free_preview"),
        APIField("opens_after_days"),
        APIField("course", serializer=CourseField()),
        APIField("body", serializer=PreviewBodyField()),
    ]

    parent_page_types = [CoursePage, ModulePage]
    subpage_types = []

    class Meta:
        verbose_name = _("lesson")
        indexes = [
            # The search index keys its entries by the page id as text and Wagtail's search
            # joins on "page_ptr_id::varchar(50) = object_id": with this index PostgreSQL
            # goes from the entries matching a query to their lessons instead of hashing every
            # lesson (catalogue search over 50,000 lessons, issue 10).
            models.Index(
                Cast("page_ptr", output_field=models.CharField(max_length=50)), name="lesson_search_entry_key"
            ),
        ]

    @cached_property
    def course(self):
        """The CoursePage this lesson belongs to (directly or through a module), or None."""
        return course_of(self)

    preview_modes = PREVIEW_MODES

    def serve_preview(self, request, mode_name):
        """Preview as the editor (default), a visitor or an enrolled student: the learner
        context is seeded with that user, so the gate explanation and the progress shown
        are theirs (``lessons/templates/lessons/lesson_page.html``)."""
        serve_preview_as(request, mode_name)
        return super().serve_preview(request, mode_name)

    @cached_property
    def is_published(self):
        """Whether students can reach the lesson: it and every page above it are live (no drafts)."""
        return is_reachable(self)

    def _public_body_text(self, code):
        if not self.free_preview:
            return ""
        chunks = []
        for block in self.body:
            if (block.block_type in CODE_BLOCKS) == code:
                chunks.extend(str(text) for text in block.block.get_searchable_content(block.value))
        return " ".join(chunk for chunk in chunks if chunk)

    def public_prose(self):
        """The body's text without code, for the search index: free previews only (else empty)."""
        return self._public_body_text(code=False)

    def public_code(self):
        """The body's code blocks, for the search index: free previews only (else empty)."""
        return self._public_body_text(code=True)

    def media_ids(self):
        """The ids of the media items the body plays (its video and audio blocks), in order."""
        ids = []
        for block in self.body.raw_data:
            key = MEDIA_BLOCKS.get(block.get("type"))
            value = block.get("value") or {}
            if key and isinstance(value, dict) and value.get(key) is not None:
                ids.append(int(value[key]))
        return ids

    def completes_by_watching(self):
        """Whether watching is the lesson's only requirement: exactly one video block and no quiz."""
        types = [block.get("type") for block in self.body.raw_data]
        return types.count("video") == 1 and not REQUIREMENT_BLOCKS.intersection(types)

    def navigation(self):
        """What the page shows around its body: the course, its outline, the module, and the
        previous and next lessons (across modules; None at either end), with the lesson's place."""
        course = self.course
        if course is None:
            return {
                "course": None,
                "module": None,
                "outline": None,
                "previous_lesson": None,
                "next_lesson": None,
            }
        outline = course.outline
        previous_lesson, next_lesson = outline.neighbours(self)
        return {
            "course": course,
            "module": outline.module_of(self),
            "outline": outline,
            "previous_lesson": previous_lesson,
            "next_lesson": next_lesson,
            "position": outline.position(self),
            "lesson_total": len(outline.lessons),
        }

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(self.navigation())
        return context

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        if not self.free_preview:
            # Only readers the gate let in get this page: no shared cache may keep it.
            patch_cache_control(response, private=True)
        return response
