"""The one StreamField block set shared by every page type.

Each block renders through its own template in ``home/templates/blocks/``.
Pages pick the blocks they allow from here rather than defining their own.
"""

from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock as WagtailEmbedBlock
from wagtail.images.blocks import ImageBlock
from wagtailmedia.blocks import AudioChooserBlock, VideoChooserBlock


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


class VideoBlock(blocks.StructBlock):
    """A video from the media library, played by ``{% media_player %}`` (HLS, MP4 fallback, captions)."""

    video = VideoChooserBlock()
    caption = blocks.CharBlock(required=False, max_length=300)
    transcript = blocks.RichTextBlock(
        required=False,
        features=["bold", "italic", "link", "ol", "ul"],
        help_text="A text version for people who cannot watch or hear the video.",
    )

    class Meta:
        icon = "media"
        template = "blocks/video_block.html"


class AudioBlock(blocks.StructBlock):
    """An audio clip from the media library, played by ``{% media_player %}``."""

    audio = AudioChooserBlock()
    caption = blocks.CharBlock(required=False, max_length=300)
    transcript = blocks.RichTextBlock(
        required=False,
        features=["bold", "italic", "link", "ol", "ul"],
        help_text="A text version for people who cannot hear the audio.",
    )

    class Meta:
        icon = "media"
        template = "blocks/audio_block.html"


class DocumentBlock(blocks.StructBlock):
    """A document with its download button; a PDF also shows its first page and, with show_inline, a
    "View" button that opens pdf.js in the page (not on phones)."""

    document = DocumentChooserBlock()
    caption = blocks.CharBlock(required=False, max_length=300)
    show_inline = blocks.BooleanBlock(
        required=False,
        default=True,
        help_text="Show PDFs in the page. Other file types always get a download link only.",
    )

    class Meta:
        icon = "doc-full"
        template = "blocks/document_block.html"


CODE_LANGUAGES = [
    ("python", "Python"),
    ("javascript", "JavaScript"),
    ("typescript", "TypeScript"),
    ("html", "HTML"),
    ("css", "CSS"),
    ("bash", "Shell"),
    ("sql", "SQL"),
    ("json", "JSON"),
    ("yaml", "YAML"),
    ("django", "Django template"),
    ("text", "Plain text"),
]


class CodeBlock(blocks.StructBlock):
    language = blocks.ChoiceBlock(choices=CODE_LANGUAGES, default="python")
    code = blocks.TextBlock(help_text="Pasted as is; indentation is kept.")
    caption = blocks.CharBlock(required=False, max_length=300)

    class Meta:
        icon = "code"
        template = "blocks/code_block.html"


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        choices=[("note", "Note"), ("tip", "Tip"), ("warning", "Warning")],
        default="note",
    )
    title = blocks.CharBlock(required=False, max_length=120, help_text="Defaults to the kind's name.")
    body = blocks.RichTextBlock(features=["bold", "italic", "link", "ol", "ul", "code"])

    class Meta:
        icon = "warning"
        template = "blocks/callout_block.html"


class EmbedBlock(blocks.StructBlock):
    """Third-party content by URL (oEmbed). Falls back to a plain link when it cannot be embedded."""

    embed = WagtailEmbedBlock(help_text="A YouTube, Vimeo or other oEmbed URL.")
    title = blocks.CharBlock(
        max_length=200, help_text="Describes the embedded content for screen readers and the fallback link."
    )
    caption = blocks.CharBlock(required=False, max_length=300)

    class Meta:
        icon = "globe"
        template = "blocks/embed_block.html"


class ResourceBlock(blocks.StructBlock):
    document = DocumentChooserBlock()
    title = blocks.CharBlock(required=False, max_length=200, help_text="Defaults to the document's title.")
    description = blocks.CharBlock(required=False, max_length=300)


class ResourcesBlock(blocks.StructBlock):
    """A list of downloadable files (slides, worksheets, source code)."""

    heading = blocks.CharBlock(max_length=120, default="Downloads")
    resources = blocks.ListBlock(ResourceBlock(), min_num=1)

    class Meta:
        icon = "download"
        template = "blocks/resources_block.html"


class FeaturedCoursesBlock(blocks.StructBlock):
    """Course cards on the home page: the courses the editor picks, or else the newest ones.

    Rendered with the courses app's card template and tags, so ``home`` imports nothing from
    ``courses`` (the page type below is a string).
    """

    heading = blocks.CharBlock(max_length=120, default="Featured courses")
    courses = blocks.ListBlock(
        blocks.PageChooserBlock(page_type="courses.CoursePage"),
        min_num=0,
        help_text="Leave empty to show the newest published courses.",
    )
    count = blocks.IntegerBlock(
        default=3, min_value=1, max_value=12, help_text="How many newest courses, when none are picked."
    )

    class Meta:
        icon = "list-ul"
        template = "blocks/featured_courses_block.html"


class CategoriesBlock(blocks.StructBlock):
    """Links to the catalogue filtered by each category that has published courses."""

    heading = blocks.CharBlock(max_length=120, default="Browse by topic")

    class Meta:
        icon = "tag"
        template = "blocks/categories_block.html"


class ContinueLearningBlock(blocks.StructBlock):
    """A logged-in student's courses in progress, with the next lesson of each; nothing for others."""

    heading = blocks.CharBlock(max_length=120, default="Continue learning")

    class Meta:
        icon = "resubmit"
        template = "blocks/continue_learning_block.html"


class HeroBlock(blocks.StructBlock):
    """The opening of the home page: what the site offers, and one button (usually to the catalogue)."""

    text = blocks.CharBlock(max_length=300)
    button_text = blocks.CharBlock(max_length=60, default="Browse the courses")
    button_page = blocks.PageChooserBlock()

    class Meta:
        icon = "pick"
        template = "blocks/hero_block.html"


BASE_BLOCKS = [
    ("heading", HeadingBlock()),
    ("paragraph", RichTextBlock()),
    ("figure", FigureBlock()),
]

HOME_BLOCKS = BASE_BLOCKS + [
    ("call_to_action", CallToActionBlock()),
    ("hero", HeroBlock()),
    ("featured_courses", FeaturedCoursesBlock()),
    ("categories", CategoriesBlock()),
    ("continue_learning", ContinueLearningBlock()),
]

LESSON_BLOCKS = BASE_BLOCKS + [
    ("video", VideoBlock()),
    ("audio", AudioBlock()),
    ("document", DocumentBlock()),
    ("code", CodeBlock()),
    ("callout", CalloutBlock()),
    ("embed", EmbedBlock()),
    ("resources", ResourcesBlock()),
]
