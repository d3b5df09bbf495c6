"""The page tree: the home page, a catalogue, courses built to size, and lessons with media.

Loaded for every test through ``pytest_plugins`` in tests/conftest.py."""

import pytest
from django.core.files.base import ContentFile
from wagtail.models import Page, Site

from tests.factories import (
    CourseIndexPageFactory,
    CoursePageFactory,
    HomePageFactory,
    LessonPageFactory,
    ModulePageFactory,
)
from tests.media_library.factories import MediaFactory


def wagtail_rows():
    """The rows Wagtail's migrations create (default locale, root page, root collection), and the
    Editors' and Instructors' permissions on them, put back if a transactional test's flush took
    them; the root page."""
    from wagtail.models import Collection, Locale

    from courses.roles import ensure_groups

    Locale.objects.get_or_create(language_code="en")
    root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    # The roles' page and collection permissions hang off those roots (courses.roles).
    ensure_groups()
    return root


def make_home():
    """A published home page at the top of the tree, served by the default Site, as a new
    installation has them (Wagtail's placeholder "Welcome" page replaced)."""
    root = wagtail_rows()
    for placeholder in root.get_children().exact_type(Page):
        placeholder.delete()
    home = HomePageFactory(parent=root)
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": home.title},
    )
    return home


@pytest.fixture
def home(db):
    return make_home()


@pytest.fixture
def catalogue(home):
    return CourseIndexPageFactory(parent=home)


@pytest.fixture
def build_course(catalogue):
    """Build a course with ``modules`` modules of ``per_module`` lessons each (plus ``direct`` lessons)."""

    def build(title="Wagtail basics", modules=2, per_module=2, direct=0, minutes=10, **fields):
        course = CoursePageFactory(parent=catalogue, title=title, **fields)
        for m in range(modules):
            module = ModulePageFactory(parent=course, title=f"{title} module {m + 1}")
            for n in range(per_module):
                LessonPageFactory(
                    parent=module, title=f"{title} lesson {m + 1}.{n + 1}", estimated_minutes=minutes
                )
        for n in range(direct):
            LessonPageFactory(parent=course, title=f"{title} extra {n + 1}", estimated_minutes=minutes)
        return course

    return build


@pytest.fixture
def course(build_course):
    """A course of two modules with two lessons each."""
    return build_course("Wagtail basics", modules=2, per_module=2)


def lessons_of(course):
    from courses.services import published_lessons

    return published_lessons(course)


def make_media(title="Clip", media_type="video", content=b"not really a video", name="clip.mp4", duration=10):
    """A media library item, ``duration`` seconds long as if probed; only playing tests read the bytes."""
    return MediaFactory(title=title, type=media_type, file=ContentFile(content, name=name), duration=duration)


HLS_MASTER = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360\n360p/index.m3u8\n"
HLS_VARIANT = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nseg_0000.ts\n#EXT-X-ENDLIST\n"


def stored_video(title="Gated clip", **fields):
    """A ready item whose renditions (an HLS master with one variant and one segment, and
    an MP4) are in storage and recorded, as the pipeline leaves them.

    The files' bytes are never decoded: for serving tests, not for players."""
    from django.core.files.storage import default_storage

    from media_library.models import Rendition

    media = make_media(title=title)
    media.status, media.version = media.Status.READY, "v1"
    for name, value in fields.items():
        setattr(media, name, value)
    media.save()
    prefix = media.version_prefix()
    for name, data in (("hls/master.m3u8", HLS_MASTER), ("hls/360p/index.m3u8", HLS_VARIANT)):
        default_storage.save(f"{prefix}/{name}", ContentFile(data.encode()))
    default_storage.save(f"{prefix}/hls/360p/seg_0000.ts", ContentFile(b"\x47" + b"\0" * 187))
    default_storage.save(f"{prefix}/360p.mp4", ContentFile(b"\0\0\0\x18ftypmp42" + b"\0" * 12))
    Rendition.objects.create(
        media=media, version="v1", kind=Rendition.Kind.HLS, label="master", path="hls/master.m3u8"
    )
    Rendition.objects.create(
        media=media,
        version="v1",
        kind=Rendition.Kind.MP4,
        label="360p",
        path="360p.mp4",
        width=640,
        height=360,
    )
    return media


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def make_document(title, **fields):
    """A Wagtail document holding a tiny PDF."""
    from wagtail.documents import get_document_model

    return get_document_model().objects.create(
        title=title, file=ContentFile(PDF, name=f"{title}.pdf"), **fields
    )


def document_block(document):
    return ("document", {"document": document, "caption": "", "show_inline": False})


def video_lesson(parent, media, *, extra_blocks=(), **fields):
    """A lesson whose body is one video block of ``media`` (plus ``extra_blocks``)."""
    body = [("video", {"video": media, "caption": "", "transcript": ""}), *extra_blocks]
    lesson = LessonPageFactory(parent=parent, **fields)
    lesson.body = body
    lesson.save_revision().publish()
    lesson.refresh_from_db()
    return lesson


def quiz_value(pass_mark=70, max_attempts=None, title="Check your understanding"):
    """A quiz block value: a single-choice question and a multiple-choice one (two correct of four)."""
    return {
        "title": title,
        "pass_mark": pass_mark,
        "max_attempts": max_attempts,
        "questions": [
            {
                "prompt": "Which page type holds lessons?",
                "kind": "single",
                "options": [
                    {"text": "CoursePage or ModulePage", "correct": True},
                    {"text": "HomePage", "correct": False},
                    {"text": "Image", "correct": False},
                ],
                "explanation": "<p>Lessons live under a course or one of its modules.</p>",
            },
            {
                "prompt": "Which are Wagtail block types?",
                "kind": "multiple",
                "options": [
                    {"text": "StructBlock", "correct": True},
                    {"text": "ListBlock", "correct": True},
                    {"text": "ModelBlock", "correct": False},
                    {"text": "FormBlock", "correct": False},
                ],
                "explanation": "<p>StructBlock and ListBlock are in wagtail.blocks.</p>",
            },
        ],
    }


def add_quiz(lesson, *quizzes):
    """Give ``lesson`` a body of the quiz values ``quizzes`` (published), and return it fresh."""
    lesson.body = [("quiz", value) for value in quizzes or [quiz_value()]]
    lesson.save_revision().publish()
    lesson.refresh_from_db()
    return lesson


@pytest.fixture
def quiz_lesson(course):
    """The first lesson of ``course`` with one quiz (pass mark 70%, unlimited attempts)."""
    return add_quiz(lessons_of(course)[0].specific)
