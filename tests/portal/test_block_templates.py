"""Every StreamField block of every page type renders without template syntax leaking into the page.

The blocks are found from the page models' StreamFields (not from template paths), so a block
added to any page type, or its template moved to another app, is covered without editing this
test. Each block gets a sample value built from its own definition, every page type is rendered
with all of its blocks, and the output must hold no ``{#`` or ``#}``: Django's ``{# #}`` comment
is single-line only, and a multi-line one is printed as text.
"""

import uuid

import pytest
import wagtail_factories
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.fields import StreamField
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import get_page_models
from wagtailmedia.blocks import AudioChooserBlock, VideoChooserBlock

from demo.lessons import DEMO_EMBED_URL, ensure_demo_embed
from packages.blocks import PackageChooserBlock
from tests.packages.factories import ready_package
from tests.page_fixtures import lessons_of, make_document, make_media

pytestmark = pytest.mark.django_db


def stream_fields(model):
    return [field for field in model._meta.get_fields() if isinstance(field, StreamField)]


def block_templates(stream):
    """The templates of the blocks a page's StreamField offers (a parent block may render the
    blocks inside it its own way, so only the outer blocks are sure to use theirs)."""
    return {
        child.meta.template for child in stream.child_blocks.values() if getattr(child.meta, "template", None)
    }


class Samples:
    """A raw (JSON) sample value for any block, from the library items the test made."""

    def __init__(self, pages):
        self.pages = pages
        self.image = wagtail_factories.ImageFactory(file__width=640, file__height=360, title="Sample image")
        self.document = make_document("Sample handout")
        self.video = make_media("Sample video")
        self.audio = make_media("Sample audio", media_type="audio", name="sample.m4a")
        ensure_demo_embed()  # the oEmbed cache answers, so nothing is fetched
        self.package = ready_package("Sample activity")

    def page_for(self, block):
        model = block.target_model
        return next(page for page in self.pages if isinstance(page.specific, model))

    def __call__(self, block):
        if isinstance(block, blocks.StreamBlock):
            return [
                {"type": name, "value": self(child), "id": str(uuid.uuid4())}
                for name, child in block.child_blocks.items()
            ]
        if isinstance(block, blocks.ListBlock):
            return [{"type": "item", "value": self(block.child_block), "id": str(uuid.uuid4())}]
        if isinstance(block, blocks.StructBlock):
            return {name: self(child) for name, child in block.child_blocks.items()}
        if isinstance(block, EmbedBlock):
            return DEMO_EMBED_URL
        if isinstance(block, blocks.RichTextBlock):
            return "<p>Sample <b>rich</b> text.</p>"
        if isinstance(block, (blocks.CharBlock, blocks.TextBlock)):
            return "Sample text"
        if isinstance(block, blocks.ChoiceBlock):
            return next(value for value, _ in block.field.choices if value)
        if isinstance(block, blocks.BooleanBlock):
            return True
        if isinstance(block, blocks.IntegerBlock):
            return max(1, block.field.min_value or 0)
        if isinstance(block, ImageChooserBlock):
            return self.image.pk
        if isinstance(block, DocumentChooserBlock):
            return self.document.pk
        if isinstance(block, VideoChooserBlock):
            return self.video.pk
        if isinstance(block, AudioChooserBlock):
            return self.audio.pk
        if isinstance(block, blocks.PageChooserBlock):
            return self.page_for(block).pk
        if isinstance(block, PackageChooserBlock):
            return self.package.pk
        raise AssertionError(f"Give {type(block).__name__} a sample value in this test.")


@pytest.fixture
def pages(home, course, enrolled):
    """One published page of each page type that has a StreamField, and where to read it as whom."""
    lesson = lessons_of(course)[0].specific
    lesson.free_preview = True
    return [home, course, lesson]


def test_every_block_of_every_page_type_renders_without_template_comments_in_the_page(
    client, pages, enrolled
):
    models = {model for model in get_page_models() if stream_fields(model)}
    covered = {type(page.specific) for page in pages}
    assert models <= covered, f"add a page of {sorted(m.__name__ for m in models - covered)} to `pages`"

    samples = Samples(pages)
    client.force_login(enrolled)  # "continue learning" and the quiz render for a student
    rendered_blocks = 0
    for page in pages:
        page = page.specific
        expected = set()
        for field in stream_fields(type(page)):
            stream = field.stream_block
            setattr(page, field.name, stream.to_python(samples(stream)))
            expected |= block_templates(stream)
            rendered_blocks += len(stream.child_blocks)
        page.save_revision().publish()
        response = client.get(page.url)
        assert response.status_code == 200, page.url
        html = response.content.decode()
        used = {template.name for template in response.templates}
        assert expected <= used, f"{page.url}: blocks not rendered: {sorted(expected - used)}"
        for marker in ("{#", "#}"):
            assert marker not in html, (
                f"{page.url} prints a template comment: …{html[html.find(marker) - 200 :][:400]}…"
            )
    assert rendered_blocks >= 15  # every block the home page and lessons offer
