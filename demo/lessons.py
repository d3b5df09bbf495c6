"""Idempotent demo lessons, with generated PDFs, lectures and audio (called by ``manage.py demo_content``).

The media are generated with the ffmpeg binary at demo time (a 60 s captioned lecture per
course, see ``demo.lectures``, and a sine tone), so nothing is downloaded and the repository
holds no binaries.
"""

import subprocess
import tempfile
from pathlib import Path

from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from wagtail.documents import get_document_model
from wagtail.embeds.embeds import get_embed_hash
from wagtail.embeds.models import Embed
from wagtailmedia.models import get_media_model

from courses.models import CoursePage
from demo import content_packages, lectures
from demo.courses import COURSES, live_page
from lessons.models import LessonPage
from media_library import services as media_services

DEMO_EMBED_URL = "https://wagtail.org/"
VIDEO_SECONDS = 4
VIDEO_SIZE = (320, 180)
# What the gated lessons say, per course (parts 2, 3, ... take them in turn).
GATED_TEXT = {
    "wagtail-for-beginners": [
        "A page model is a Django model with a template. Add a field, make a migration, and the "
        "editor gets a form for it. Keep models small: one page type per kind of content.",
        "StreamField stores a list of typed blocks as JSON. Give each block a template and the "
        "page renders itself; editors reorder blocks without touching code.",
        "Drafts, previews and scheduled publishing come with every page. Use them: publish when "
        "the content is right, not when the clock says so.",
    ],
    "python-foundations": [
        "Names point at values; assigning again points the name elsewhere. Strings, numbers and "
        "lists are all objects you can ask things of, like len(word) or word.upper().",
        "A for loop walks through any sequence. Combine it with if to keep only what you need, "
        "or use a list comprehension to say the same in one line.",
        "When something fails, Python prints a traceback. Read it from the bottom: the last line "
        "names the error, the lines above show where it happened.",
    ],
    "audio-and-video-for-learning": [
        "Most bad recordings are bad rooms. Record away from hard walls, close the window and "
        "switch off fans; a duvet over a clothes rack makes a fine booth.",
        "Keep the microphone a hand's width away and slightly to the side, so plosives pass it. "
        "Record a few seconds of silence first: it helps noise reduction later.",
        "Export H.264 video with AAC audio and let Ringlet make the renditions. Add captions as "
        "WebVTT; they help viewers in noisy places and those who cannot hear.",
    ],
}


# Each course's exercise, in its own language (the Python course practises Python).
EXERCISES = {
    "wagtail-for-beginners": (
        "python",
        "# Exercise {number}: give the page model a field, then run makemigrations.\n"
        "class LessonPage(Page):\n"
        "    summary = models.TextField(blank=True)",
    ),
    "python-foundations": (
        "python",
        "# Exercise {number}: keep the long words, in capitals.\n"
        'words = ["ringlet", "is", "a", "learning", "portal"]\n'
        "print([word.upper() for word in words if len(word) > 2])",
    ),
    "audio-and-video-for-learning": (
        "bash",
        "# Exercise {number}: measure how loud your narration is.\n"
        "ffmpeg -i narration.wav -af loudnorm=print_format=summary -f null -",
    ),
}


def pdf_bytes(title, lines):
    """A small valid one-page PDF (Helvetica text), written by hand: no PDF library needed."""

    def escape(text):
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    text = ["BT", "/F1 22 Tf", "72 760 Td", f"({escape(title)}) Tj", "/F1 12 Tf", "0 -36 Td"]
    for line in lines:
        text += [f"({escape(line)}) Tj", "0 -18 Td"]
    text.append("ET")
    stream = "\n".join(text).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def ensure_document(title, filename, lines):
    """A generated PDF in the document library, found again by title.

    The worker reads it once saved (page count, first-page thumbnail); a document from an
    older demo, read before thumbnails existed, is queued for it again.
    """
    Document = get_document_model()
    document = Document.objects.filter(title=title).first()
    if document is None:
        document = Document(title=title)
        document.file.save(filename, ContentFile(pdf_bytes(title, lines)), save=False)
        # Size, hash and content type, as the admin's upload form records them.
        document._set_document_file_metadata()
        document.save()
    else:
        media_services.enqueue_document_info(document)
    return document


def ffmpeg(*args):
    """Run the ffmpeg binary quietly; raise with its stderr if it fails."""
    try:
        result = subprocess.run(  # noqa: S603
            ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=300,  # a 60 s lecture takes ~15 s of CPU; a busy machine may be slower
        )
    except FileNotFoundError:
        raise RuntimeError(
            "The demo media need the ffmpeg binary on PATH (make system-deps installs it)."
        ) from None
    if result.returncode != 0:
        raise RuntimeError(f"ffmpeg failed: {result.stderr.strip()}")


def ensure_media(title, kind):
    """A generated clip in the media library (``kind`` is "video" or "audio"), found again by title.

    Uses ``get_media_model()`` so it follows whichever model WAGTAILMEDIA["MEDIA_MODEL"] names.
    """
    if kind not in ("video", "audio"):
        raise ValueError(f"kind must be 'video' or 'audio', not {kind!r}")
    Media = get_media_model()
    media = Media.objects.filter(title=title, type=kind).first()
    if media is not None:
        return media
    with tempfile.TemporaryDirectory() as tmp:
        if kind == "video":
            path = Path(tmp) / "demo-test-pattern.mp4"
            width, height = VIDEO_SIZE
            ffmpeg(
                "-f", "lavfi", "-i", f"testsrc2=size={width}x{height}:rate=24",
                "-f", "lavfi", "-i", "sine=frequency=440",
                "-t", str(VIDEO_SECONDS), "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-b:a", "64k", "-movflags", "+faststart", str(path),
            )  # fmt: skip
            extra = {"width": width, "height": height}
        else:
            path = Path(tmp) / "demo-tone.m4a"
            ffmpeg(
                "-f", "lavfi", "-i", f"sine=frequency=330:duration={VIDEO_SECONDS}", "-c:a", "aac", str(path)
            )
            extra = {}
        media = Media(title=title, type=kind, duration=VIDEO_SECONDS, **extra)
        with path.open("rb") as handle:
            media.file.save(path.name, File(handle), save=False)
        media.save()
    return media


def ensure_demo_embed():
    """Pre-fill Wagtail's oEmbed cache for the demo URL so the embed block works offline.

    The cached HTML is a plain card rather than a third-party iframe: the demo must
    not load anything from the internet.
    """
    Embed.objects.get_or_create(
        hash=get_embed_hash(DEMO_EMBED_URL),
        defaults={
            "url": DEMO_EMBED_URL,
            "type": "rich",
            "title": "Wagtail CMS",
            "provider_name": "wagtail.org",
            "html": '<blockquote class="embed-card"><p>Wagtail is an open-source content management '
            'system built on Django.</p><p><a href="https://wagtail.org/">wagtail.org</a></p></blockquote>',
        },
    )
    return DEMO_EMBED_URL


def demo_assets():
    """Every library item the demo lessons use, created if missing."""
    return {
        "handout": ensure_document(
            "Lesson handout (demo PDF)",
            "lesson-handout.pdf",
            [
                "This PDF was generated for the Ringlet demo.",
                "The lesson shows this first page as a thumbnail,",
                "with a viewer and a download button.",
            ],
        ),
        "cheatsheet": ensure_document(
            "Cheat sheet (demo PDF)", "cheat-sheet.pdf", ["Keyboard shortcuts and commands for this course."]
        ),
        "audio": ensure_media("Tone (demo audio)", "audio"),
        "embed_url": ensure_demo_embed(),
        "scorm": ensure_content_package(
            "Three short pages (SCORM 2004)", "three-short-pages.zip", content_packages.scorm2004_package
        ),
        "h5p": ensure_content_package(
            "Which block plays a video? (H5P)", "which-block.h5p", content_packages.h5p_package
        ),
    }


def ensure_content_package(title, filename, build):
    """A content package made by ``demo.content_packages``, unpacked here (not left to the worker),
    so the demo lessons play it as soon as ``demo_content`` ends."""
    from packages.models import ContentPackage
    from packages.tasks import unpack_package

    package = ContentPackage.objects.filter(title=title).first()
    if package is None:
        package = ContentPackage.objects.create(title=title, file=ContentFile(build(), name=filename))
    if not package.is_ready:
        unpack_package.apply(args=(package.pk,))
        package.refresh_from_db()
    return package


def package_blocks(assets):
    """The demo's SCORM package and H5P activity as lesson blocks."""
    return [
        ("package", {"package": assets["scorm"], "title": "Try a SCORM package", "height": 420}),
        ("package", {"package": assets["h5p"], "title": "Try an H5P activity", "height": 360}),
    ]


def showcase_body(assets, course):
    """A lesson body using every block a lesson may hold, the quiz included, with ``course``'s
    lecture and cover."""
    body = [
        ("heading", {"text": "What you will do", "size": "h2"}),
        ("paragraph", "<p>This lesson shows every kind of content a lesson can hold.</p>"),
        (
            "video",
            {
                "video": course["lecture"],
                "caption": f"Lecture: {course['title']} (captions on; a tone stands in for the voice).",
                "transcript": lectures.transcript(course["slug"]),
            },
        ),
        (
            "audio",
            {"audio": assets["audio"], "caption": "A 330 Hz tone.", "transcript": "<p>A steady tone.</p>"},
        ),
        ("document", {"document": assets["handout"], "caption": "The lesson handout.", "show_inline": True}),
        (
            "code",
            {"language": "python", "code": 'def greet(name):\n    return f"Hello, {name}!"', "caption": ""},
        ),
        ("callout", {"kind": "tip", "title": "", "body": "<p>Use the outline to jump between lessons.</p>"}),
        (
            "embed",
            {"embed": assets["embed_url"], "title": "Wagtail's website", "caption": "An embedded card."},
        ),
        (
            "resources",
            {
                "heading": "Downloads",
                "resources": [
                    {"document": assets["handout"], "title": "", "description": "The handout as a PDF."},
                    {"document": assets["cheatsheet"], "title": "Cheat sheet", "description": ""},
                ],
            },
        ),
    ]
    body += package_blocks(assets)
    body.append(("quiz", demo_quiz()))
    if course["cover"] is not None:
        body.insert(
            2, ("figure", {"image": course["cover"], "caption": f"The cover of “{course['title']}”."})
        )
    return body


def demo_quiz():
    """A two-question quiz (single and multiple choice), pass mark 50%, three attempts."""
    return {
        "title": "Check your understanding",
        "pass_mark": 50,
        "max_attempts": 3,
        "questions": [
            {
                "prompt": "Where do you see which lessons you have completed?",
                "kind": "single",
                "options": [
                    {"text": "In the course outline and on the dashboard", "correct": True},
                    {"text": "Nowhere: progress is not kept", "correct": False},
                    {"text": "Only in the admin", "correct": False},
                ],
                "explanation": "<p>The outline shows a checkmark for each completed lesson, and the "
                "dashboard shows each course's progress bar.</p>",
            },
            {
                "prompt": "Which of these can a lesson hold?",
                "kind": "multiple",
                "options": [
                    {"text": "Video", "correct": True},
                    {"text": "A quiz", "correct": True},
                    {"text": "A live phone call", "correct": False},
                ],
                "explanation": "<p>Lessons hold text, images, video, audio, documents, code and quizzes.</p>",
            },
        ],
    }


def gated_body(course, title, number):
    """A short lesson for enrolled students: real text, an exercise and, in part 2, the lecture."""
    texts = GATED_TEXT[course["slug"]]
    language, code = EXERCISES[course["slug"]]
    body = [
        ("heading", {"text": f"{title}: key ideas", "size": "h2"}),
        ("paragraph", f"<p>{texts[(number - 2) % len(texts)]}</p>"),
    ]
    if number == 2:
        body.append(
            (
                "video",
                {
                    "video": course["lecture"],
                    "caption": f"The {course['title']} lecture, for enrolled students.",
                    "transcript": lectures.transcript(course["slug"]),
                },
            )
        )
    body += [
        ("code", {"language": language, "code": code.format(number=number), "caption": "Try it"}),
        ("callout", {"kind": "note", "title": "", "body": "<p>Take your time; nothing here is timed.</p>"}),
    ]
    return body


def course_assets(page):
    """The demo course above ``page`` (a course or module): its slug, title, cover and lecture."""
    course_page = page if isinstance(page, CoursePage) else page.get_parent().specific
    spec = next(spec for spec in COURSES if spec["slug"] == course_page.slug)
    lecture = lectures.ensure_lecture(spec["slug"], spec["title"], spec["colour"], ffmpeg)
    return {
        "slug": spec["slug"],
        "title": spec["title"],
        "cover": course_page.cover_image,
        "lecture": lecture,
    }


def ensure_quiz(lesson, assets=None):
    """Give a showcase lesson made before quizzes (or content packages) existed its quiz and its
    packages (demo content made earlier)."""
    types = {block.block_type for block in lesson.body}
    changed = False
    if assets is not None and "package" not in types:
        for block in package_blocks(assets):
            lesson.body.append(block)
        changed = True
    if "quiz" not in types:
        lesson.body.append(("quiz", demo_quiz()))
        changed = True
    if changed:
        lesson.save_revision().publish()


@transaction.atomic
def ensure_lessons(sections):
    """Fill the demo courses' sections with published lessons; the first lesson of each course
    is a free preview using every block type (a quiz included, so each course has one).
    Returns the number of demo lessons.
    """
    assets = demo_assets()
    count = 0
    for _course_slug, course_sections in sections.items():
        number = 0
        for parent, lessons in course_sections:
            for _ in range(lessons):
                number += 1
                count += 1
                slug = f"lesson-{number}"
                first = number == 1
                existing = parent.get_children().filter(slug=slug).first()
                if existing is not None:
                    if first:
                        ensure_quiz(existing.specific, assets)
                    continue
                course = course_assets(parent)
                title = "Tour of a lesson" if first else f"{parent.title}: part {number}"
                lesson = LessonPage(
                    title=title,
                    slug=slug,
                    summary=f"{title} in a few minutes.",
                    estimated_minutes=5 + 5 * (number % 3),
                    free_preview=first,
                    body=showcase_body(assets, course) if first else gated_body(course, title, number),
                )
                parent.add_child(instance=live_page(lesson))
    return count
