"""The home page's own blocks (hero, call to action, featured courses, topics, "continue learning"),
after the generic ones of ``pagetree.blocks``.

The course blocks ask ``courses.services`` for what they show (``get_context``), so each
template only lays it out. Each block renders through its own template in
``home/templates/home/blocks/``.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from courses.models import CoursePage
from courses.services import course_categories, courses_in_progress, featured_courses
from pagetree.blocks import BASE_BLOCKS
from pagetree.blocks import (
    RichTextBlock as RichTextBlock,  # historical migrations name home.blocks.RichTextBlock
)


class CallToActionBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=100, label=_("Text"))
    page = blocks.PageChooserBlock(label=_("Page"))

    class Meta:
        icon = "link"
        template = "home/blocks/call_to_action_block.html"


class FeaturedCoursesBlock(blocks.StructBlock):
    """Course cards on the home page: the courses the editor picks, or else the newest ones.

    Rendered with the courses app's card template.
    """

    heading = blocks.CharBlock(max_length=120, default="Featured courses", label=_("Heading"))
    courses = blocks.ListBlock(
        blocks.PageChooserBlock(page_type=CoursePage),
        min_num=0,
        help_text=_("Leave empty to show the newest published courses."),
        label=_("Courses"),
    )
    count = blocks.IntegerBlock(
        default=3,
        min_value=1,
        max_value=12,
        help_text=_("How many newest courses, when none are picked."),
        label=_("Count"),
    )

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["courses"] = featured_courses(value["courses"], value["count"])
        return context

    class Meta:
        icon = "list-ul"
        template = "home/blocks/featured_courses_block.html"


class CategoriesBlock(blocks.StructBlock):
    """Links to the catalogue filtered by each category that has published courses."""

    heading = blocks.CharBlock(max_length=120, default="Browse by topic", label=_("Heading"))

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["categories"] = course_categories((parent_context or {}).get("request"))
        return context

    class Meta:
        icon = "tag"
        template = "home/blocks/categories_block.html"


class ContinueLearningBlock(blocks.StructBlock):
    """A logged-in student's courses in progress, with the next lesson of each; nothing for others."""

    heading = blocks.CharBlock(max_length=120, default="Continue learning", label=_("Heading"))

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        request = (parent_context or {}).get("request")
        context["entries"] = courses_in_progress(getattr(request, "user", None))
        return context

    class Meta:
        icon = "resubmit"
        template = "home/blocks/continue_learning_block.html"


class HeroBlock(blocks.StructBlock):
    """The opening of the home page: what the site offers, and one button (usually to the catalogue)."""

    text = blocks.CharBlock(max_length=300, label=_("Text"))
    button_text = blocks.CharBlock(max_length=60, default="Browse the courses", label=_("Button text"))
    button_page = blocks.PageChooserBlock(label=_("Button page"))

    class Meta:
        icon = "pick"
        template = "home/blocks/hero_block.html"


HOME_BLOCKS = BASE_BLOCKS + [
    ("call_to_action", CallToActionBlock(label=_("Call to action"))),
    ("hero", HeroBlock(label=_("Hero"))),
    ("featured_courses", FeaturedCoursesBlock(label=_("Featured courses"))),
    ("categories", CategoriesBlock(label=_("Categories"))),
    ("continue_learning", ContinueLearningBlock(label=_("Continue learning"))),
]
