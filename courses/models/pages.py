"""The course page tree: HomePage → CourseIndexPage (catalogue) → CoursePage → ModulePage (optional) → lesson.

The lesson page type lives in the ``lessons`` app, which registers it with
``courses.outline.register_lesson_model``; nothing here imports it. Page context is built
from the modules below the models (``outline``, ``catalogue``), which import no models;
what a page shows a particular student comes from the learner context (``courses.learner``).
"""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail import blocks
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList, TabbedInterface
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField
from wagtail.images.api.fields import ImageRenditionField
from wagtail.models import Page
from wagtail.search import index

from pagetree.services import (
    CachedViewRestrictionsMixin,
    cached_under_content_version,
    page_under_content_version,
    public,
)
from sharing.panels import ShareLinksPanel

from ..catalogue import catalogue_context
from ..outline import Outline, build_outline, course_minutes, lesson_model
from .enrollment import validate_enrollment_window
from .snippets import Category, Instructor

# A day: versions change with every publish, so old outlines just age out.
OUTLINE_TIMEOUT = 60 * 60 * 24

LEVELS = [
    ("beginner", _("Beginner")),
    ("intermediate", _("Intermediate")),
    ("advanced", _("Advanced")),
]

# Wagtail preview modes of courses and lessons. The learner context reads the mode off the
# preview request (``courses.learner.build_learner``), so gating and progress are that user's.
PREVIEW_MODES = [("", "Default"), ("visitor", "As a visitor"), ("student", "As an enrolled student")]


def serve_preview_as(request, mode_name):
    """Prepare Wagtail's preview request (made for the preview alone) for ``mode_name``:
    as a visitor, the whole page (header, enrollment panel, players) sees an anonymous user."""
    if mode_name == "visitor":
        request.user = AnonymousUser()


class HiddenSubtreeMixin(CachedViewRestrictionsMixin):
    """Unpublishing a course or module hides everything below it.

    Wagtail's routing walks through unpublished pages and only checks the last one,
    so a live lesson under a draft course would still be served.
    """

    def route(self, request, path_components):
        if not self.live:
            raise Http404
        return super().route(request, path_components)


class CourseIndexPage(HiddenSubtreeMixin, Page):
    """The catalogue: lists the published courses below it, with filters, search and pagination."""

    intro = RichTextField(blank=True, features=["bold", "italic", "link"], verbose_name=_("intro"))
    courses_per_page = models.PositiveSmallIntegerField(
        default=12, help_text=_("Courses per catalogue page."), verbose_name=_("courses per page")
    )

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("courses_per_page")]

    subpage_types = ["CoursePage"]

    @classmethod
    def can_exist_under(cls, parent):
        """A catalogue sits at the top of a site, right under its root page (the home page), which
        may be of any type: the page type above it belongs to an app above this one."""
        return super().can_exist_under(parent) and parent.is_site_root()

    class Meta:
        verbose_name = _("course catalogue")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        courses = CoursePage.objects.child_of(self)
        context.update(catalogue_context(self, request, courses, Category.objects.all(), LEVELS))
        return context


def prerequisite_closure(course_ids):
    """``course_ids`` and the ids of every course they require, directly or not (saved links)."""
    through = CoursePage.prerequisites.through
    seen, frontier = set(), set(course_ids)
    while frontier:
        seen |= frontier
        linked = through.objects.filter(from_coursepage_id__in=frontier).values_list(
            "to_coursepage_id", flat=True
        )
        frontier = set(linked) - seen
    return seen


def prerequisite_problem(course, prerequisites):
    """Why ``course`` may not require ``prerequisites`` (a message), or None if it may."""
    ids = {prerequisite.pk for prerequisite in prerequisites}
    if course.pk is None or not ids:
        return None
    if course.pk in ids:
        return _("A course cannot require itself.")
    if course.pk in prerequisite_closure(ids):
        return _("These prerequisites require this course in turn; remove the loop.")
    return None


class CoursePageForm(WagtailAdminPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # An instructor starting a course teaches it: pre-selected, so the course's group
        # (courses.roles) gives them its subtree and collection once it is created.
        profile = getattr(self.for_user, "instructor_profile", None) if self.for_user else None
        if self.instance.pk is None and profile is not None and "instructors" in self.fields:
            self.initial["instructors"] = [profile.pk]

    def clean(self):
        cleaned_data = super().clean()
        problem = prerequisite_problem(self.instance, cleaned_data.get("prerequisites") or [])
        if problem:
            self.add_error("prerequisites", problem)
        return cleaned_data


class CoursePageTag(TaggedItemBase):
    content_object = ParentalKey("courses.CoursePage", related_name="tagged_items", on_delete=models.CASCADE)


class CoursePage(HiddenSubtreeMixin, Page):
    summary = models.TextField(
        max_length=300, help_text=_("One or two sentences shown in the catalogue."), verbose_name=_("summary")
    )
    description = RichTextField(
        blank=True, help_text=_("What the course covers and who it is for."), verbose_name=_("description")
    )
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Shown in the catalogue at 16:9; give it alt text that describes it."),
        verbose_name=_("cover image"),
    )
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="courses",
        help_text=_("The subject area students filter the catalogue by."),
        verbose_name=_("category"),
    )
    level = models.CharField(max_length=20, choices=LEVELS, default="beginner", verbose_name=_("level"))
    estimated_hours = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("The course's duration while its lessons have no times; else their times are added up."),
        verbose_name=_("estimated hours"),
    )
    instructors = ParentalManyToManyField(
        Instructor, blank=True, related_name="courses", verbose_name=_("instructors")
    )
    learning_outcomes = StreamField(
        [("outcome", blocks.CharBlock(max_length=200, label=_("Outcome")))],
        blank=True,
        help_text=_("What a student can do after the course, one outcome per item."),
        verbose_name=_("learning outcomes"),
    )
    prerequisites = ParentalManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="required_by",
        help_text=_("Courses a student should complete first."),
        verbose_name=_("prerequisites"),
    )
    tags = ClusterTaggableManager(through=CoursePageTag, blank=True)
    # Enrollment rules (courses.enrollment): all optional; blank means always open / unlimited.
    enrollment_opens_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("Students can enroll from this moment. Blank: open now."),
        verbose_name=_("enrollment opens at"),
    )
    enrollment_closes_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("Students can no longer enroll after this moment. Blank: never."),
        verbose_name=_("enrollment closes at"),
    )
    capacity = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_("Most students enrolled at once. Blank: no limit."),
        verbose_name=_("capacity"),
    )
    enrollment_panels = [
        FieldPanel("enrollment_opens_at"),
        FieldPanel("enrollment_closes_at"),
        FieldPanel("capacity"),
    ]

    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("description"),
        index.SearchField("learning_outcomes"),
        index.RelatedFields("tags", [index.SearchField("name")]),
        index.RelatedFields("category", [index.SearchField("name")]),
        index.FilterField("category"),
        index.FilterField("level"),
    ]

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("cover_image"),
        FieldPanel("description"),
        FieldPanel("learning_outcomes"),
    ]
    details_panels = [
        MultiFieldPanel(
            [
                FieldPanel("category"),
                FieldPanel("level"),
                FieldPanel("estimated_hours"),
            ],
            heading=_("Classification"),
        ),
        FieldPanel("instructors", help_text=_("Instructors are managed under Snippets → Instructors.")),
        FieldPanel("prerequisites"),
        FieldPanel("tags"),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Content")),
            ObjectList(details_panels, heading=_("Details")),
            ObjectList(enrollment_panels, heading=_("Enrollment")),
            ObjectList(Page.promote_panels, heading=_("Promote")),
            ObjectList(Page.settings_panels, heading=_("Settings")),
            ObjectList([ShareLinksPanel()], heading=_("Share links")),
        ]
    )

    api_fields = [
        APIField("summary"),
        APIField("description"),
        APIField("cover_image", serializer=ImageRenditionField("fill-640x360")),
        APIField("category_name"),
        APIField("level"),
        APIField("language"),
        APIField("estimated_hours"),
        APIField("duration_minutes"),
        APIField("instructor_names"),
        APIField("learning_outcome_list"),
        APIField("prerequisite_ids"),
        APIField("tag_names"),
    ]

    base_form_class = CoursePageForm
    # Children say where they may live (ModulePage here, LessonPage in the lessons app).
    parent_page_types = ["CourseIndexPage"]

    class Meta:
        verbose_name = _("course")

    def clean(self):
        super().clean()
        validate_enrollment_window(self)
        # The admin form checks the submitted prerequisites itself (CoursePageForm): a
        # ParentalManyToManyField's new values only reach the instance on save.
        problem = prerequisite_problem(self, self.prerequisites.all())
        if problem:
            raise ValidationError({"prerequisites": problem})

    @property
    def duration_minutes(self):
        """The course's one duration (``outline.course_minutes``): its lessons' times, or the
        editor's estimate when they have none. Uses the catalogue's ``total_minutes`` annotation
        when present, else the outline, which give the same sum."""
        lesson_minutes = getattr(self, "total_minutes", None)
        if lesson_minutes is None:
            lesson_minutes = self.outline.minutes
        return course_minutes(lesson_minutes, self.estimated_hours)

    @property
    def language(self):
        """The language the course is taught in: its locale's (Wagtail's i18n), since translations
        of a course are pages of their own in other locales (README, "Languages")."""
        return self.locale.language_code

    @cached_property
    def category_name(self):
        return self.category.name if self.category_id else None

    @property
    def instructor_names(self):
        return [instructor.name for instructor in self.instructors.all()]

    @property
    def learning_outcome_list(self):
        return [block.value for block in self.learning_outcomes]

    @property
    def prerequisite_ids(self):
        return [course.pk for course in self.prerequisites.all()]

    @property
    def tag_names(self):
        return sorted(tag.name for tag in self.tags.all())

    def get_outline(self):
        """The course's published sections and lessons in order, read now (two queries)."""
        modules = public(ModulePage.objects.child_of(self).live())
        lessons = public(lesson_model().objects.descendant_of(self).live()).defer_streamfields()
        return build_outline(self, [*modules, *lessons])

    @cached_property
    def outline(self):
        """``get_outline()``, from the cache, and kept on the instance: Wagtail serves each request
        a fresh page, so the gate hook, the page context and the learner context share it.

        The sections are cached under the page tree's version (``pagetree.services.content_version``),
        which any publish, unpublish, move or delete changes; a failing cache means reading afresh.
        """
        sections = cached_under_content_version(
            f"courses:outline:{self.pk}", lambda: self.get_outline().sections, OUTLINE_TIMEOUT, outline_weight
        )
        return Outline(course=self, sections=sections)

    def get_details(self):
        """What the course page shows besides its outline, read now: the same for every visitor."""
        return {
            "catalogue": self.get_parent().specific,
            "category": self.category,
            "cover_image": self.cover_image,
            "instructors": list(self.instructors.select_related("photo")),
            "prerequisites": [course for course in self.prerequisites.all() if course.live],
            "tags": list(self.tags.all()),
        }

    @cached_property
    def details(self):
        """``get_details()`` from the cache, under the page tree's version like the outline.

        Saving a category, an instructor or an image changes that version too
        (``courses.signal_handlers``), so an edited snippet shows at once.
        """
        return cached_under_content_version(f"courses:details:{self.pk}", self.get_details, OUTLINE_TIMEOUT)

    preview_modes = PREVIEW_MODES

    def serve_preview(self, request, mode_name):
        """Preview as the editor (default), a visitor or an enrolled student (``serve_preview_as``)."""
        serve_preview_as(request, mode_name)
        return super().serve_preview(request, mode_name)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        outline = self.outline
        context["outline"] = outline
        context["first_lesson"] = outline.lessons[0] if outline.lessons else None
        context["first_preview"] = next((lesson for lesson in outline.lessons if lesson.free_preview), None)
        context.update(self.details)
        return context


class ModulePage(HiddenSubtreeMixin, Page):
    """A section of a course grouping lessons; it has no content of its own beyond a summary."""

    summary = models.TextField(
        blank=True,
        max_length=500,
        help_text=_("Shown under the module in the outline."),
        verbose_name=_("summary"),
    )

    content_panels = Page.content_panels + [FieldPanel("summary")]
    search_fields = Page.search_fields + [index.SearchField("summary")]

    # Lessons say they may live here (LessonPage.parent_page_types, in the lessons app).
    parent_page_types = ["CoursePage"]

    class Meta:
        verbose_name = _("module")

    @cached_property
    def course(self):
        """The course this module belongs to."""
        return course_of(self)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        course = self.course
        outline = course.outline
        context["course"] = course
        context["outline"] = outline
        context["section"] = outline.section_for(self)
        return context


def outline_weight(sections):
    """How many page objects an outline's sections hold (what the process remembers them as)."""
    return sum(1 + len(section.lessons) for section in sections)


def course_of(page):
    """The CoursePage that ``page`` (the course itself, a module or a lesson) belongs to, or None.

    For a saved page, which course it is is kept under the page tree's version (a move replaces
    it) and the course read once per process and version (a copy for each caller)."""
    if page.pk is None or not page.path:
        return CoursePage.objects.ancestor_of(page, inclusive=True).first()

    def find():
        return CoursePage.objects.ancestor_of(page, inclusive=True).values_list("pk", flat=True).first()

    pk = cached_under_content_version(f"courses:course-of:{page.path}", find, OUTLINE_TIMEOUT)
    return page_under_content_version(CoursePage, pk) if pk is not None else None
