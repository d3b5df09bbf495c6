"""Idempotent demo courses (called by ``manage.py demo_content``).

Every ``ensure_*`` function finds what an earlier run created (by slug or title) and
only creates what is missing, so running the command again changes nothing and
never overwrites what an editor changed since.
"""

import io

from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone
from PIL import Image as PILImage
from PIL import ImageDraw
from wagtail.images import get_image_model

from courses.models import Category, CourseIndexPage, CoursePage, Instructor, ModulePage

CATEGORIES = [
    ("Web development", "web-development", "Building sites and applications for the web."),
    ("Programming", "programming", "Languages, tools and habits of working programmers."),
    ("Media production", "media-production", "Recording, editing and publishing audio and video."),
]

# ``modules`` lists (module title, number of lessons); ``direct`` lessons sit in the course
# itself. The lessons are written by the lessons app's demo.
COURSES = [
    {
        "slug": "wagtail-for-beginners",
        "title": "Wagtail for beginners",
        "category": "web-development",
        "level": "beginner",
        "hours": "3.5",
        "colour": (31, 95, 191),
        "summary": "Build a small site with Wagtail: pages, StreamField blocks, images and documents.",
        "outcomes": [
            "Model content as a page tree",
            "Compose pages from StreamField blocks",
            "Publish and preview",
        ],
        "tags": ["wagtail", "django", "cms"],
        "modules": [("Getting started", 2), ("Content with StreamField", 2)],
        "direct": 0,
        "prerequisites": [],
    },
    {
        "slug": "python-foundations",
        "title": "Python foundations",
        "category": "programming",
        "level": "beginner",
        "hours": "4",
        "colour": (30, 122, 60),
        "summary": "Variables, functions and data structures: the Python you need before Django.",
        "outcomes": ["Write and run small Python programs", "Use lists and dictionaries", "Read tracebacks"],
        "tags": ["python"],
        "modules": [("The basics", 2)],
        "direct": 1,
        "prerequisites": [],
    },
    {
        "slug": "audio-and-video-for-learning",
        "title": "Audio and video for learning",
        "category": "media-production",
        "level": "intermediate",
        "hours": "2",
        "colour": (138, 90, 0),
        "summary": "Record clear narration and short screen videos, then publish them in a course.",
        "outcomes": ["Record clean audio", "Encode video for the web", "Write useful transcripts"],
        "tags": ["video", "audio", "ffmpeg"],
        "modules": [("Recording", 2), ("Publishing", 1)],
        "direct": 0,
        "prerequisites": ["wagtail-for-beginners"],
    },
]


def ensure_categories():
    """The three demo categories, by slug."""
    categories = {}
    for name, slug, description in CATEGORIES:
        categories[slug], _ = Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
    return categories


def ensure_instructor(user=None):
    """The demo instructor, linked to ``user`` (the demo admin) when given."""
    instructor, _created = Instructor.objects.get_or_create(
        name="Ada Ringlet",
        defaults={
            "bio": "<p>Ada has taught web development and media production for ten years.</p>",
            "user": user,
        },
    )
    return instructor


def cover_png(title, colour, size=(960, 540)):
    """A generated cover: a diagonal gradient in ``colour`` with the title; PNG bytes."""
    width, height = size
    image = PILImage.new("RGB", size)
    draw = ImageDraw.Draw(image)
    r, g, b = colour
    for x in range(0, width + height, 4):
        shade = x / (width + height)
        fill = (
            int(r + (255 - r) * shade * 0.6),
            int(g + (255 - g) * shade * 0.6),
            int(b + (255 - b) * shade * 0.6),
        )
        draw.line([(x, 0), (x - height, height)], fill=fill, width=5)
    draw.rectangle([(40, height - 150), (width - 40, height - 40)], fill=(255, 255, 255))
    draw.text((64, height - 120), title, fill=colour, font_size=48)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def ensure_cover_image(title, colour):
    """A generated cover image in the image library, titled after the course."""
    Image = get_image_model()
    image_title = f"Cover: {title}"
    image = Image.objects.filter(title=image_title).first()
    if image is None:
        filename = title.lower().replace(" ", "-") + ".png"
        image = Image(title=image_title, description=f"Cover illustration for the course {title}")
        image.file = ImageFile(io.BytesIO(cover_png(title, colour)), name=filename)
        image.save()
    return image


@transaction.atomic
def ensure_catalogue(home):
    """The course catalogue page under ``home``, published."""
    catalogue = CourseIndexPage.objects.child_of(home).first()
    if catalogue is None:
        catalogue = home.add_child(
            instance=CourseIndexPage(
                title="Courses",
                slug="courses",
                intro="<p>Find a course by subject, level or any word in its lessons.</p>",
            )
        )
        catalogue.save_revision().publish()
    return catalogue


def _publish(page):
    page.save_revision().publish()
    return page


def live_page(page):
    """Mark a page about to be created as published, without a revision.

    Publishing through revisions costs two saves and two search-index updates per page;
    the many modules and lessons are created live directly to keep the demo fast. Their
    first edit in the admin starts their revision history.
    """
    page.live = True
    page.first_published_at = page.last_published_at = timezone.now()
    return page


@transaction.atomic
def ensure_courses(catalogue, instructor=None):
    """The demo courses with their modules, published; returns ``{course slug: [section, ...]}``.

    A section is ``(parent page, number of lessons)``: a module, or the course itself for
    lessons placed directly in it. The lessons app fills the sections in.
    """
    categories = ensure_categories()
    sections = {}
    courses = {}
    for spec in COURSES:
        course = CoursePage.objects.child_of(catalogue).filter(slug=spec["slug"]).first()
        if course is None:
            course = CoursePage(
                title=spec["title"],
                slug=spec["slug"],
                summary=spec["summary"],
                description=f"<p>{spec['summary']} Every lesson ends with an exercise.</p>",
                category=categories[spec["category"]],
                level=spec["level"],
                estimated_hours=spec["hours"],
                cover_image=ensure_cover_image(spec["title"], spec["colour"]),
                learning_outcomes=[("outcome", text) for text in spec["outcomes"]],
            )
            catalogue.add_child(instance=course)
            course.tags.add(*spec["tags"])
            if instructor:
                course.instructors.add(instructor)
            course.prerequisites.set([courses[slug] for slug in spec["prerequisites"]])
            _publish(course)
        courses[spec["slug"]] = course
        course_sections = []
        for title, lessons in spec["modules"]:
            module = ModulePage.objects.child_of(course).filter(title=title).first()
            if module is None:
                module = course.add_child(
                    instance=ModulePage(
                        title=title, summary=f"{title}: {lessons} lesson{'s' if lessons != 1 else ''}."
                    )
                )
                _publish(module)
            course_sections.append((module, lessons))
        if spec["direct"]:
            course_sections.append((course, spec["direct"]))
        sections[spec["slug"]] = course_sections
    return sections
