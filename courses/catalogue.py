"""The catalogue's query: filters, full-text search and pagination in a fixed number of queries.

It imports no models: ``CourseIndexPage.get_context`` hands it the catalogue's courses and
categories, so the page can use it without an import cycle.
"""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import F, Func, IntegerField, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce
from wagtail.images import get_image_model

from pagetree.services import public

from .lesson_source import lesson_model
from .search import COURSE, LessonText, Match, add_lesson, course_match, query_stems
from .visibility import below, reachable

COVER_FILTER = "fill-640x360"
# The card's responsive WebP renditions (``{% srcset_image %}`` in course_card.html), prefetched.
CARD_FILTERS = ("fill-320x180|format-webp", "fill-640x360|format-webp")
# Enough for any real search; keeps the relevance ordering bounded.
MAX_SEARCH_HITS = 500


def with_lesson_stats(courses):
    """Annotate a CoursePage queryset with ``lesson_count`` and ``total_minutes`` of the lessons
    its outline shows (live and public, under no unpublished module).

    Two correlated subqueries, so a catalogue of any length costs one query.
    """
    lessons = reachable(
        public(lesson_model().objects.filter(below("path"), depth__gt=OuterRef("depth")))
    ).order_by()
    count = lessons.annotate(n=Func(F("pk"), function="COUNT")).values("n")
    minutes = lessons.annotate(m=Func(F("estimated_minutes"), function="SUM")).values("m")
    return courses.annotate(
        lesson_count=Coalesce(Subquery(count, output_field=IntegerField()), Value(0)),
        total_minutes=Coalesce(Subquery(minutes, output_field=IntegerField()), Value(0)),
    )


def published_courses(courses):
    """The live, public ``courses`` with what a course card shows, in one query."""
    courses = public(courses.live())
    return (
        with_lesson_stats(courses)
        .select_related("category")
        .prefetch_related(
            Prefetch("cover_image", queryset=get_image_model().objects.prefetch_renditions(*CARD_FILTERS))
        )
    )


def _search_rows(queryset, query, fields):
    """``queryset.search(query)``'s best MAX_SEARCH_HITS rows as dicts of ``fields``, in relevance order.

    The database backends (PostgreSQL's and SQLite's) expose the ranked queryset, so no page
    object is built per hit (700 of them were most of a search's Python time at 50,000 lessons);
    other backends give their objects.
    """
    results = queryset.search(query)[:MAX_SEARCH_HITS]
    if hasattr(results, "get_queryset"):
        return list(results.get_queryset().values(*fields))
    return [{name: getattr(obj, name) for name in fields} for obj in results]


def _lesson_texts(rows):
    """A ``search.LessonText`` per lesson row (pk, title, summary, free_preview), by pk.

    Only free previews have public body text (``LessonPage.public_prose``): only their
    bodies are read, in one query.
    """
    free = {
        lesson.pk: lesson
        for lesson in lesson_model().objects.filter(pk__in=[r["pk"] for r in rows if r["free_preview"]])
    }
    texts = {}
    for row in rows:
        lesson = free.get(row["pk"])
        prose, code = (lesson.public_prose(), lesson.public_code()) if lesson else ("", "")
        texts[row["pk"]] = LessonText(row["title"], row["summary"], prose, code)
    return texts


def search_course_ids(index, courses, query):
    """Ids of ``courses`` (the catalogue's) matching ``query`` themselves or through one of their
    lessons, most relevant first, and each one's ``search.Match`` (why it matched).

    Courses matched in their own text come first, then those matched through a lesson's title,
    summary or prose, then those matched only through code. Lessons are indexed with public
    text only (``LessonPage.search_fields``), so gated bodies never match. The snippet of a
    course matched in its own text is made by ``describe_matches``, for the page shown only.
    """
    stems = query_stems(query)
    matches = {
        row["pk"]: Match(tier=COURSE, direct=True)
        for row in _search_rows(public(courses.live()), query, ["pk"])
    }
    lessons = public(lesson_model().objects.descendant_of(index).live())
    # As a pk__in subquery, which Wagtail's search backend accepts (it cannot filter on EXISTS).
    lessons = lessons.filter(pk__in=reachable(lessons).values("pk"))
    rows = _search_rows(lessons, query, ["pk", "path", "title", "summary", "free_preview"])
    texts = _lesson_texts(rows) if rows else {}
    course_path_length = len(index.path) + index.steplen
    lessons_by_course_path = {}
    for row in rows:
        lessons_by_course_path.setdefault(row["path"][:course_path_length], []).append(texts[row["pk"]])
    if lessons_by_course_path:
        via_lessons = courses.filter(path__in=lessons_by_course_path).order_by("path")
        for pk, path in via_lessons.values_list("pk", "path"):
            for lesson in lessons_by_course_path[path]:
                matches[pk] = add_lesson(matches.get(pk), lesson, stems)
    # sorted() is stable: within a tier, the search backend's relevance order is kept.
    ids = sorted(matches, key=lambda pk: matches[pk].tier)
    return ids, matches


def describe_matches(courses, matches, query):
    """Set ``search_match`` on each of ``courses`` (the page shown): its Match, with the snippet
    of a course matched in its own text (worked out here, not for every course found)."""
    stems = query_stems(query)
    for course in courses:
        match = matches.get(course.pk)
        if match is not None and match.direct:
            # The course's own text first; a lesson's snippet when none of its text shown matched.
            match.snippet = course_match(course, stems).snippet or match.snippet
        course.search_match = match


def _ranked_page(courses, ids, number, per_page):
    """The page ``number`` of ``courses`` (filtered) in the order of ``ids`` (search relevance).

    The filtered ids come back in one small query and are put in order here, so only the page
    shown is read in full (with its cards' lesson statistics) and no ``CASE`` of every hit, nor
    a separate count, is sent to the database.
    """
    kept = set(courses.filter(pk__in=ids).values_list("pk", flat=True))
    page = Paginator([pk for pk in ids if pk in kept], per_page).get_page(number)
    by_pk = {course.pk: course for course in courses.filter(pk__in=list(page.object_list))}
    page.object_list = [by_pk[pk] for pk in page.object_list if pk in by_pk]
    return page


def catalogue_context(index, request, courses, categories, levels):
    """Template context for the catalogue page: the current filters and one page of courses.

    ``courses`` are the catalogue's course pages (a queryset), ``categories`` the categories
    to filter by and ``levels`` the level choices.
    """
    all_courses = courses
    category_slug = request.GET.get("category", "").strip()
    level = request.GET.get("level", "").strip()
    query = request.GET.get("q", "").strip()[:200]

    categories = list(categories)
    courses = published_courses(all_courses)
    category = next((c for c in categories if c.slug == category_slug), None)
    if category_slug and category is None:
        courses = courses.none()
    elif category:
        courses = courses.filter(category=category)
    if level in dict(levels):
        courses = courses.filter(level=level)
    elif level:
        courses = courses.none()

    per_page = index.courses_per_page or 12
    if query:
        ids, matches = search_course_ids(index, all_courses, query)
        page = _ranked_page(courses, ids, request.GET.get("page"), per_page)
        describe_matches(page.object_list, matches, query)
    else:
        page = Paginator(courses.order_by("path"), per_page).get_page(request.GET.get("page"))
    paginator = page.paginator
    filters = {
        key: value for key, value in (("q", query), ("category", category_slug), ("level", level)) if value
    }
    return {
        "categories": categories,
        "levels": levels,
        "selected_category": category,
        "selected_level": level,
        "query": query,
        "courses": page,
        "paginator": paginator,
        "filter_query": urlencode(filters),
        "filters": filters,
        "cover_filter": COVER_FILTER,
    }
