"""The one StreamField block set shared by every page type.

Each block renders through its own template in ``home/templates/blocks/``.
Pages pick the blocks they allow from here rather than defining their own.
"""

from wagtail import blocks
from wagtail.images.blocks import ImageBlock


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=200)
    size = blocks.ChoiceBlock(
        choices=[("h2", "Heading 2"), ("h3", "Heading 3"), ("h4", "Heading 4")],
        default="h2",
        help_text="Keep headings in order: a page's sections are h2, their parts h3.",
    )

    class Meta:
        icon = "title"
        template = "blocks/heading_block.html"


class RichTextBlock(blocks.RichTextBlock):
    class Meta:
        icon = "pilcrow"
        template = "blocks/rich_text_block.html"


class FigureBlock(blocks.StructBlock):
    image = ImageBlock(help_text="The image's alt text is read aloud by screen readers.")
    caption = blocks.CharBlock(required=False, max_length=300)

    class Meta:
        icon = "image"
        template = "blocks/figure_block.html"


class CallToActionBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=100)
    page = blocks.PageChooserBlock()

    class Meta:
        icon = "link"
        template = "blocks/call_to_action_block.html"


BASE_BLOCKS = [
    ("heading", HeadingBlock()),
    ("paragraph", RichTextBlock()),
    ("figure", FigureBlock()),
]

HOME_BLOCKS = BASE_BLOCKS + [("call_to_action", CallToActionBlock())]
