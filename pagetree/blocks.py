"""The generic StreamField blocks every page type may use: heading, rich text, figure.

Each page type's own blocks live with it (``home.blocks``, ``lessons.blocks``) and start from
``BASE_BLOCKS``. Each block renders through its own template in ``pagetree/templates/pagetree/blocks/``.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageBlock


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=200, label=_("Text"))
    size = blocks.ChoiceBlock(
        choices=[("h2", _("Heading 2")), ("h3", _("Heading 3")), ("h4", _("Heading 4"))],
        default="h2",
        help_text=_("Keep headings in order: a page's sections are h2, their parts h3."),
        label=_("Size"),
    )

    class Meta:
        icon = "title"
        template = "pagetree/blocks/heading_block.html"


class RichTextBlock(blocks.RichTextBlock):
    class Meta:
        icon = "pilcrow"
        template = "pagetree/blocks/rich_text_block.html"


class FigureBlock(blocks.StructBlock):
    image = ImageBlock(help_text=_("The image's alt text is read aloud by screen readers."), label=_("Image"))
    caption = blocks.CharBlock(required=False, max_length=300, label=_("Caption"))

    class Meta:
        icon = "image"
        template = "pagetree/blocks/figure_block.html"


BASE_BLOCKS = [
    ("heading", HeadingBlock(label=_("Heading"))),
    ("paragraph", RichTextBlock(label=_("Paragraph"))),
    ("figure", FigureBlock(label=_("Figure"))),
]
