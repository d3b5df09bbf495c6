"""The lesson body's block set: the shared blocks of ``home/blocks.py`` plus the quiz.

The quiz lives here rather than in ``home`` because it is graded against the lessons
app's attempts (``lessons/quiz.py``), and ``home`` must not depend on ``lessons``.
This module imports no models, so the lesson page model can use it.
"""

from django.core.exceptions import ValidationError
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError

from home.blocks import LESSON_BLOCKS as SHARED_LESSON_BLOCKS
from packages.blocks import PackageBlock

SINGLE, MULTIPLE = "single", "multiple"

# The scoring rule, stated once: the block's help text, the page and the README say the same.
SCORING_RULE = (
    "Each question is worth one point. A single-choice question scores 1 if the chosen option is "
    "correct, else 0. A multiple-choice question scores (correct options chosen - wrong options "
    "chosen) / correct options, never below 0. The quiz score is the points over the number of "
    "questions, as a percentage; the student passes at or above the pass mark."
)


class OptionBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=300)
    correct = blocks.BooleanBlock(required=False, help_text="Tick every correct option.")

    class Meta:
        icon = "tick"


class QuestionBlock(blocks.StructBlock):
    prompt = blocks.TextBlock(help_text="The question as students read it.")
    kind = blocks.ChoiceBlock(
        choices=[(SINGLE, "Single choice (one correct option)"), (MULTIPLE, "Multiple choice")],
        default=SINGLE,
    )
    options = blocks.ListBlock(OptionBlock(), min_num=2)
    explanation = blocks.RichTextBlock(
        required=False,
        features=["bold", "italic", "link", "ol", "ul", "code"],
        help_text="Shown after the student submits: why the answer is what it is.",
    )

    class Meta:
        icon = "help"

    def clean(self, value):
        value = super().clean(value)
        correct = sum(1 for option in value["options"] if option["correct"])
        if value["kind"] == SINGLE and correct != 1:
            raise StructBlockValidationError(
                block_errors={
                    "options": ValidationError("A single-choice question needs exactly one correct option.")
                }
            )
        if value["kind"] == MULTIPLE and correct < 1:
            raise StructBlockValidationError(
                block_errors={"options": ValidationError("Mark at least one option correct.")}
            )
        return value


class QuizBlock(blocks.StructBlock):
    """A graded quiz. The lesson completes only once the student passes it."""

    title = blocks.CharBlock(max_length=200, default="Check your understanding")
    pass_mark = blocks.IntegerBlock(
        min_value=0, max_value=100, default=70, help_text="The score (in percent) a student needs to pass."
    )
    max_attempts = blocks.IntegerBlock(
        required=False,
        min_value=1,
        help_text="How many times a student may submit. Leave empty for unlimited attempts.",
    )
    questions = blocks.ListBlock(QuestionBlock(), min_num=1)

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


LESSON_BLOCKS = SHARED_LESSON_BLOCKS + [("quiz", QuizBlock()), ("package", PackageBlock())]
