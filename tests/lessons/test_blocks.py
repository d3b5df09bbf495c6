"""Every block of the shared set renders in a free-preview lesson, with real generated media and documents."""

import re

import pytest
import wagtail_factories
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model

from demo.lessons import demo_assets, ensure_media, pdf_bytes, showcase_body
from lessons.blocks import LESSON_BLOCKS
from tests.factories import CoursePageFactory, LessonPageFactory
from tests.media_fixtures import transcode_here


@pytest.fixture
def assets(db):
    cover = wagtail_factories.ImageFactory(title="Cover: test", description="A blue gradient")
    # A short clip stands in for the course lecture (demo.lectures makes 60 s ones).
    video = ensure_media("Test pattern (demo video)", "video")
    course = {"slug": "test", "title": "Test course", "cover": cover, "lecture": video}
    return {**demo_assets(), "video": video, "course": course}


def file_bytes(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_every_block_renders_in_a_lesson(client, catalogue, assets):
    # A video or audio block plays once the media pipeline has made the item's renditions.
    video, audio = transcode_here(assets["video"]), transcode_here(assets["audio"])
    course = CoursePageFactory(parent=catalogue)
    # A free preview, so a visitor may read it (gating has its own tests).
    lesson = LessonPageFactory(
        parent=course, title="Everything", body=showcase_body(assets, assets["course"]), free_preview=True
    )
    assert {block.block_type for block in lesson.body} == {name for name, _ in LESSON_BLOCKS}

    response = client.get(lesson.url)
    assert response.status_code == 200
    html = response.content.decode()
    handout = assets["handout"]
    # heading and paragraph
    assert "<h2>What you will do</h2>" in html
    assert "every kind of content a lesson can hold" in html
    # image, with the image's alt text
    assert re.search(r'<img alt="A blue gradient"[^>]+src="/media/images/', html)
    # video and audio: the media library's player, with the renditions the pipeline made
    player = 'class="media-player__element" data-media-id="{}" data-language="en" controls'
    assert f"<video {player.format(video.pk)} playsinline" in html
    assert f"<audio {player.format(audio.pk)}" in html
    assert (
        "<figcaption>Lecture: Test course (captions on; a tone stands in for the voice).</figcaption>" in html
    )
    assert "<summary>Transcript</summary>" in html
    for kind, media in (("video", video), ("audio", audio)):
        sources = re.findall(rf'<source src="(/media-files/{media.pk}/[^"]+)" type="{kind}/mp4"', html)
        assert sources, kind
        played = client.get(sources[0])
        assert played.status_code == 200 and played["Content-Type"] == f"{kind}/mp4"
        assert file_bytes(played)[4:8] == b"ftyp"
    # document: a download link, and pdf.js's viewer (opened on request) reading the same URL
    assert f'data-src="{handout.url}" data-pdfjs="/static/vendor/pdfjs/build/pdf.min.mjs"' in html
    assert f'href="{handout.url}" download>Download Lesson handout (demo PDF)' in html
    # content packages: a SCORM package and an H5P activity, each a Start button before a sandboxed
    # frame through the gate (in a <template>, loaded when pressed)
    assert html.count('class="package-block__frame"') == 2
    assert (
        len(
            re.findall(
                r'<template class="package-block__template">\s*<iframe class="package-block__frame"', html
            )
        )
        == 2
    )
    assert html.count('class="button package-block__start"') == 2
    assert f'src="/learn/lessons/{lesson.pk}/packages/' in html
    # code, with its language
    assert '<code class="language-python" data-language="python">def greet(name):' in html
    assert "return f&quot;Hello, {name}!&quot;" in html
    # callout
    assert '<aside class="callout callout--tip" aria-label="Tip">' in html
    # embed (Wagtail's oEmbed cache, filled by the demo so it works offline)
    assert '<blockquote class="embed-card">' in html
    # downloadable resources
    assert html.count('class="resources-block__list"') == 1
    assert f'<a href="{assets["cheatsheet"].url}" download>Cheat sheet</a>' in html
    assert "(PDF, " in html
    # quiz: the questions for a visitor of the free preview, who must enroll to take it
    assert "Where do you see which lessons you have completed?" in html
    assert "Enroll in the course to take this quiz." in html


def test_generated_media_are_real_files_of_the_right_kind(assets):
    video, audio = assets["video"], assets["audio"]
    assert (video.type, video.file_extension, video.width, video.height) == ("video", "mp4", 320, 180)
    assert (audio.type, audio.file_extension) == ("audio", "m4a")
    with video.file.open("rb") as handle:
        assert handle.read(12)[4:8] == b"ftyp"
    assert video.file.size < 500_000 and audio.file.size < 200_000


def test_generated_pdf_has_a_consistent_cross_reference_table():
    data = pdf_bytes("Title (with parentheses)", ["line one", "line two"])
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
    startxref = int(data.rsplit(b"startxref", 1)[1].split()[0])
    assert data[startxref:].startswith(b"xref")
    entries = re.findall(rb"(\d{10}) 00000 n ", data[startxref:])
    assert len(entries) == 5
    for number, offset in enumerate(entries, start=1):
        assert data[int(offset) :].startswith(b"%d 0 obj" % number)
    assert b"(Title \\(with parentheses\\)) Tj" in data


def test_non_pdf_documents_get_a_download_link_but_no_inline_viewer(client, catalogue):
    Document = get_document_model()
    notes = Document(title="Notes")
    notes.file.save("notes.txt", ContentFile(b"plain notes"), save=False)
    notes._set_document_file_metadata()
    notes.save()
    lesson = LessonPageFactory(
        parent=CoursePageFactory(parent=catalogue),
        body=[("document", {"document": notes, "caption": "", "show_inline": True})],
        free_preview=True,
    )
    html = client.get(lesson.url).content.decode()
    assert "document-block__viewer" not in html and "document-viewer.js" not in html
    assert "<img" not in html.split('class="document-block"', 1)[1].split("</div>", 1)[0]
    assert (
        f'href="{notes.url}" download>Download Notes <span class="file-meta">(TXT, 11\xa0bytes)</span>'
        in html
    )


def test_an_embed_that_cannot_be_fetched_falls_back_to_a_plain_link(client, catalogue):
    lesson = LessonPageFactory(
        parent=CoursePageFactory(parent=catalogue),
        body=[
            ("embed", {"embed": "https://unknown-provider.invalid/talk", "title": "The talk", "caption": ""})
        ],
        free_preview=True,
    )
    html = client.get(lesson.url).content.decode()
    assert '<a href="https://unknown-provider.invalid/talk">The talk</a>' in html


def test_documents_may_be_framed_by_our_pages_but_pages_may_not(client, catalogue, assets):
    lesson = LessonPageFactory(
        parent=CoursePageFactory(parent=catalogue),
        body=showcase_body(assets, assets["course"]),
        free_preview=True,
    )
    document = client.get(assets["handout"].url)
    assert document.status_code == 200
    assert document["Content-Type"] == "application/pdf"
    assert document["X-Frame-Options"] == "SAMEORIGIN"
    assert b"".join(document.streaming_content).startswith(b"%PDF-1.4")
    assert client.get(lesson.url)["X-Frame-Options"] == "DENY"


def test_demo_media_without_ffmpeg_fail_clearly_and_create_nothing(db, monkeypatch, tmp_path):
    from wagtailmedia.models import get_media_model

    from demo.lessons import ensure_media

    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="need the ffmpeg binary on PATH"):
        ensure_media("No ffmpeg here", "video")
    assert not get_media_model().objects.filter(title="No ffmpeg here").exists()


def test_demo_media_reject_an_unknown_kind(db):
    from demo.lessons import ensure_media

    with pytest.raises(ValueError, match="kind must be"):
        ensure_media("Slides", "slides")


def test_the_pdf_block_shows_thumbnail_pages_size_and_download_and_a_viewer_only_on_request(
    client, catalogue, assets
):
    from media_library.services import document_facts
    from media_library.tasks import record_document_info

    handout = assets["handout"]
    record_document_info(handout.pk)
    facts = document_facts(handout)
    course = CoursePageFactory(parent=catalogue)
    body = [("document", {"document": handout, "caption": "Handout", "show_inline": True})]
    lesson = LessonPageFactory(parent=course, title="Reading", body=body, free_preview=True)
    html = client.get(lesson.url).content.decode()
    block = html.split('<div class="document-block document-block--thumbnail">', 1)[1]
    # The first page's thumbnail, with its size (no layout shift) and alt text.
    assert (
        f'<img class="document-block__thumbnail" src="{facts.thumbnail_url}" '
        f'width="{facts.thumbnail_width}" height="{facts.thumbnail_height}" '
        'alt="First page of Lesson handout (demo PDF)" loading="lazy"'
    ) in block
    assert client.get(facts.thumbnail_url)["Content-Type"] == "image/webp"
    # Pages, size and the download button.
    assert re.search(
        rf'<a class="button secondary document-block__download" href="{re.escape(handout.url)}" download>'
        r'Download Lesson handout \(demo PDF\) <span class="file-meta">'
        r"\(PDF, 1 page, [\d.]+\s(bytes|KB)\)</span>",
        block,
    )
    # "View" is hidden until the viewer's script shows it; the viewer is closed and empty.
    assert re.search(
        r'<button type="button" class="button secondary document-block__view" '
        r'aria-expanded="false" hidden>View <span class="visually-hidden">',
        block,
    )
    assert re.search(r'<section class="document-block__viewer" hidden aria-label="[^"]+: PDF viewer"', block)
    assert '<script type="module" src="/static/lessons/document-viewer.js"></script>' in block
    assert "<object" not in html and "<iframe" not in block
    assert "<figure" not in block.split("</div>", 1)[0]


def test_a_pdf_not_read_yet_shows_its_block_without_a_thumbnail(client, catalogue, assets):
    course = CoursePageFactory(parent=catalogue)
    body = [("document", {"document": assets["handout"], "caption": "", "show_inline": False})]
    lesson = LessonPageFactory(parent=course, title="Reading", body=body, free_preview=True)
    html = client.get(lesson.url).content.decode()
    assert '<div class="document-block">' in html and "document-block__thumbnail" not in html
    assert "Download Lesson handout (demo PDF)" in html
    assert "document-block__viewer" not in html  # show_inline off: no viewer at all


def test_a_figure_near_the_top_loads_eagerly_and_one_further_down_lazily(client, catalogue, assets):
    cover = assets["course"]["cover"]
    figure = ("figure", {"image": cover, "caption": ""})
    paragraph = ("paragraph", "<p>Some text.</p>")
    # Third block after a heading and a paragraph: above the fold on a phone, the page's LCP.
    body = [("heading", {"text": "Start", "size": "h2"}), paragraph, figure, paragraph, paragraph, figure]
    course = CoursePageFactory(parent=catalogue)
    lesson = LessonPageFactory(parent=course, title="Figures", body=body, free_preview=True)
    images = re.findall(r'<img alt="A blue gradient"[^>]*>', client.get(lesson.url).content.decode())
    assert len(images) == 2
    assert 'loading="lazy"' not in images[0]
    assert 'loading="lazy"' in images[1]
