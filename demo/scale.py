"""Many courses and lessons at once, for the benchmarks (``manage.py seed_scale``).

Creating 50,000 pages one by one through Wagtail takes hours (each ``add_child`` locks and
updates the tree); here the tree rows are written in bulk: base ``Page`` rows with
``bulk_create`` and the course and lesson rows with one multi-row INSERT per batch, with
the paths treebeard would give. The pages are published (live, no revision: they were
never edited) and added to the search index, so the catalogue search has them to find.
"""

import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from wagtail.models import Locale, Page
from wagtail.search.backends import get_search_backend

from courses.models import CoursePage
from lessons.models import LessonPage

BATCH = 2000
WORDS = ["python", "django", "wagtail", "design", "video", "data", "writing", "history", "music", "maths"]


def _child_path(parent, position):
    """The treebeard path of the ``position``-th (1-based) child of ``parent``."""
    return parent.path + Page._int2str(position).rjust(Page.steplen, "0")


def _insert_rows(model, instances):
    """INSERT the ``model`` table's own row for each instance (its Page row exists already)."""
    fields = model._meta.local_concrete_fields
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    table = connection.ops.quote_name(model._meta.db_table)
    for start in range(0, len(instances), BATCH):
        chunk = instances[start : start + BATCH]
        values = [f.get_db_prep_save(getattr(obj, f.attname), connection) for obj in chunk for f in fields]
        # Names come from the model's own metadata; every value is a query parameter.
        sql = f"INSERT INTO {table} ({columns}) VALUES " + ", ".join([placeholders] * len(chunk))  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, values)


def _pages(model, parent, specs, start):
    """Unsaved ``model`` pages under ``parent`` from ``specs`` (dicts of fields), numbered from ``start``."""
    content_type = ContentType.objects.get_for_model(model)
    locale = Locale.get_default()
    now = timezone.now()
    pages = []
    for offset, fields in enumerate(specs):
        slug = slugify(fields["title"])
        page = model(
            **fields,
            draft_title=fields["title"],
            slug=slug,
            path=_child_path(parent, start + offset),
            depth=parent.depth + 1,
            numchild=0,
            url_path=f"{parent.url_path}{slug}/",
            content_type=content_type,
            locale=locale,
            translation_key=uuid.uuid4(),
            live=True,
            has_unpublished_changes=False,
            first_published_at=now,
            last_published_at=now,
        )
        pages.append(page)
    return pages


def _save(model, pages):
    bases = Page.objects.bulk_create(
        [
            Page(
                **{f.attname: getattr(p, f.attname) for f in Page._meta.concrete_fields if f.attname != "id"}
            )
            for p in pages
        ],
        batch_size=BATCH,
    )
    for page, base in zip(pages, bases, strict=True):
        page.pk = page.page_ptr_id = base.pk
    _insert_rows(model, pages)


def _index(model, ids):
    index = get_search_backend().get_index_for_model(model)
    for start in range(0, len(ids), 500):
        objects = list(model.objects.filter(pk__in=ids[start : start + 500]))
        index.add_items(model, objects)


@transaction.atomic
def seed_scale(catalogue, courses=1000, lessons_per_course=50, prefix="Scale"):
    """Add ``courses`` published courses of ``lessons_per_course`` lessons each under ``catalogue``.

    Returns ``(courses, lessons)`` created. Run it once on a fresh database: the paths
    continue after the catalogue's existing children, the slugs carry ``prefix``.
    """
    catalogue = Page.objects.select_for_update().get(pk=catalogue.pk)
    first = catalogue.numchild + 1
    specs = [
        {
            "title": f"{prefix} {WORDS[n % len(WORDS)]} course {n}",
            "summary": f"Learn {WORDS[n % len(WORDS)]} and {WORDS[(n + 3) % len(WORDS)]}, step by step.",
        }
        for n in range(courses)
    ]
    course_pages = _pages(CoursePage, catalogue, specs, first)
    for page in course_pages:
        page.numchild = lessons_per_course
    _save(CoursePage, course_pages)
    Page.objects.filter(pk=catalogue.pk).update(numchild=catalogue.numchild + courses)
    lesson_pages = []
    for course in course_pages:
        lesson_specs = [
            {
                "title": f"{course.title} lesson {n}",
                "summary": f"Part {n} of {course.title}.",
                "estimated_minutes": 5 + n % 20,
                "free_preview": n == 0,
            }
            for n in range(lessons_per_course)
        ]
        lesson_pages.extend(_pages(LessonPage, course, lesson_specs, 1))
    _save(LessonPage, lesson_pages)
    _index(CoursePage, [p.pk for p in course_pages])
    _index(LessonPage, [p.pk for p in lesson_pages])
    return len(course_pages), len(lesson_pages)
