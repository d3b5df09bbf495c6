"""The lesson body's block set (``LESSON_BLOCKS``): the generic blocks of ``pagetree.blocks``,
the media and teaching blocks below, and the quiz, graded against the lessons app's attempts
(``lessons/quiz.py``).

Each block renders through its own template in ``lessons/templates/lessons/blocks/``. The media
blocks play through ``media_library``'s template tags, with the access decision the lesson's
learner context already made. This module imports no models, so the lesson page model can use it.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock as WagtailEmbedBlock
from wagtailmedia.blocks import AudioChooserBlock, VideoChooserBlock

from packages.blocks import PackageBlock
from pagetree.blocks import BASE_BLOCKS

SINGLE, MULTIPLE = "single", "multiple"

# The scoring rule, stated once: the block's help text, the page and the README say the same.
SCORING_RULE = _(
    "Each question is worth one point. A single-choice question scores 1 if the chosen option is "
    "correct, else 0. A multiple-choice question scores (correct options chosen - wrong options "
    "chosen) / correct options, never below 0. The quiz score is the points over the number of "
    "questions, as a percentage; the student passes at or above the pass mark."
)


class VideoBlock(blocks.StructBlock):
    """A video from the media library, played by ``{% media_player %}`` (HLS, MP4 fallback, captions)."""

    video = VideoChooserBlock(label=_("Video"))
    caption = blocks.CharBlock(required=False, max_length=300, label=_("Caption"))
    transcript = blocks.RichTextBlock(
        required=False,
        features=["bold", "italic", "link", "ol", "ul"],
        help_text=_("A text version for people who cannot watch or hear the video."),
        label=_("Transcript"),
    )

    class Meta:
        icon = "media"
        template = "lessons/blocks/video_block.html"


class AudioBlock(blocks.StructBlock):
    """An audio clip from the media library, played by ``{% media_player %}``."""

    audio = AudioChooserBlock(label=_("Audio"))
    caption = blocks.CharBlock(required=False, max_length=300, label=_("Caption"))
    transcript = blocks.RichTextBlock(
        required=False,
        features=["bold", "italic", "link", "ol", "ul"],
        help_text=_("A text version for people who cannot hear the audio."),
        label=_("Transcript"),
    )

    class Meta:
        icon = "media"
        template = "lessons/blocks/audio_block.html"


class DocumentBlock(blocks.StructBlock):
    """A document with its download button; a PDF also shows its first page and, with show_inline, a
    "View" button that opens pdf.js in the page (not on phones)."""

    document = DocumentChooserBlock(label=_("Document"))
    caption = blocks.CharBlock(required=False, max_length=300, label=_("Caption"))
    show_inline = blocks.BooleanBlock(
        required=False,
        default=True,
        help_text=_("Show PDFs in the page. Other file types always get a download link only."),
        label=_("Show inline"),
    )

    class Meta:
        icon = "doc-full"
        template = "lessons/blocks/document_block.html"


CODE_LANGUAGES = [
    ("python", "Python"),
    ("javascript", "JavaScript"),
    ("typescript", "TypeScript"),
    ("html", "HTML"),
    ("css", "CSS"),
    ("bash", _("Shell")),
    ("sql", "SQL"),
    ("json", "JSON"),
    ("yaml", "YAML"),
    ("django", _("Django template")),
    ("text", _("Plain text")),
]


class CodeBlock(blocks.StructBlock):
    language = blocks.ChoiceBlock(choices=CODE_LANGUAGES, default="python", label=_("Language"))
    code = blocks.TextBlock(help_text=_("Pasted as is; indentation is kept."), label=_("Code"))
    caption = blocks.CharBlock(required=False, max_length=300, label=_("Caption"))

    class Meta:
        icon = "code"
        template = "lessons/blocks/code_block.html"


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        choices=[("note", _("Note")), ("tip", _("Tip")), ("warning", _("Warning"))],
        default="note",
        label=_("Kind"),
    )
    title = blocks.CharBlock(
        required=False, max_length=120, help_text=_("Defaults to the kind's name."), label=_("Title")
    )
    body = blocks.RichTextBlock(features=["bold", "italic", "link", "ol", "ul", "code"], label=_("Body"))

    class Meta:
        icon = "warning"
        template = "lessons/blocks/callout_block.html"


class EmbedBlock(blocks.StructBlock):
    """Third-party content by URL (oEmbed). Falls back to a plain link when it cannot be embedded."""

    embed = WagtailEmbedBlock(help_text=_("A YouTube, Vimeo or other oEmbed URL."), label=_("Embed"))
    title = blocks.CharBlock(
        max_length=200,
        help_text=_("Describes the embedded content for screen readers and the fallback link."),
        label=_("Title"),
    )
    caption = blocks.CharBlock(required=False, max_length=300, label=_("Caption"))

    class Meta:
        icon = "globe"
        template = "lessons/blocks/embed_block.html"


class ResourceBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Document"))
    title = blocks.CharBlock(
        required=False, max_length=200, help_text=_("Defaults to the document's title."), label=_("Title")
    )
    description = blocks.CharBlock(required=False, max_length=300, label=_("Description"))


class ResourcesBlock(blocks.StructBlock):
    """A list of downloadable files (slides, worksheets, source code)."""

    heading = blocks.CharBlock(max_length=120, default="Downloads", label=_("Heading"))
    resources = blocks.ListBlock(ResourceBlock(), min_num=1, label=_("Resources"))

    class Meta:
        icon = "download"
        template = "lessons/blocks/resources_block.html"


class OptionBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=300, label=_("Text"))
    correct = blocks.BooleanBlock(
        required=False,
        help_text=_("Tick every correct option."),
        label=pgettext_lazy("quiz option", "Correct"),
    )

    class Meta:
        icon = "tick"


class QuestionBlock(blocks.StructBlock):
    prompt = blocks.TextBlock(help_text=_("The question as students read it."), label=_("Prompt"))
    kind = blocks.ChoiceBlock(
        choices=[(SINGLE, _("Single choice (one correct option)")), (MULTIPLE, _("Multiple choice"))],
        default=SINGLE,
        label=_("Kind"),
    )
    options = blocks.ListBlock(OptionBlock(), min_num=2, label=_("Options"))
    explanation = blocks.RichTextBlock(
        required=False,
        features=["bold", "italic", "link", "ol", "ul", "code"],
        help_text=_("Shown after the student submits: why the answer is what it is."),
        label=_("Explanation"),
    )

    class Meta:
        icon = "help"

    def clean(self, value):
        value = super().clean(value)
        correct = sum(1 for option in value["options"] if option["correct"])
        if value["kind"] == SINGLE and correct != 1:
            raise StructBlockValidationError(
                block_errors={
                    "options": ValidationError(
                        _("A single-choice question needs exactly one correct option.")
                    )
                }
            )
        if value["kind"] == MULTIPLE and correct < 1:
            raise StructBlockValidationError(
                block_errors={"options": ValidationError(_("Mark at least one option correct."))}
            )
        return value


class QuizBlock(blocks.StructBlock):
    """A graded quiz. The lesson completes only once the student passes it."""

    title = blocks.CharBlock(max_length=200, default="Check your understanding", label=_("Title"))
    pass_mark = blocks.IntegerBlock(
        min_value=0,
        max_value=100,
        default=70,
        help_text=_("The score (in percent) a student needs to pass."),
        label=_("Pass mark"),
    )
    max_attempts = blocks.IntegerBlock(
        required=False,
        min_value=1,
        help_text=_("How many times a student may submit. Leave empty for unlimited attempts."),
        label=_("Max attempts"),
    )
    questions = blocks.ListBlock(QuestionBlock(), min_num=1, label=_("Questions"))

    class Meta:
        icon = "tasks"
        template = "lessons/blocks/quiz_block.html"
        help_text = SCORING_RULE

    def get_api_representation(self, value, context=None):
        """The quiz as the API shows it: questions and options with their ids, never the answers.

        Which options are correct, and the explanations, stay on the server (the API is
        read by browsers too), exactly as on the lesson page.
        """
        return {
            "title": value["title"],
            "pass_mark": value["pass_mark"],
            "max_attempts": value["max_attempts"],
            "questions": [
                {
                    "id": question.id,
                    "prompt": question.value["prompt"],
                    "kind": question.value["kind"],
                    "options": [
                        {"id": option.id, "text": option.value["text"]}
                        for option in question.value["options"].bound_blocks
                    ],
                }
                for question in value["questions"].bound_blocks
            ],
        }


LESSON_BLOCKS = BASE_BLOCKS + [
    ("video", VideoBlock(label=_("Video"))),
    ("audio", AudioBlock(label=_("Audio"))),
    ("document", DocumentBlock(label=_("Document"))),
    ("code", CodeBlock(label=_("Code"))),
    ("callout", CalloutBlock(label=_("Callout"))),
    ("embed", EmbedBlock(label=_("Embed"))),
    ("resources", ResourcesBlock(label=_("Resources"))),
    ("quiz", QuizBlock(label=_("Quiz"))),
    ("package", PackageBlock(label=_("Package"))),
]
