"""The catalogue's query: filters, full-text search and pagination in a fixed number of queries.

It imports no models: ``CourseIndexPage.get_context`` hands it the catalogue's courses and
categories, so the page can use it without an import cycle.
"""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Case, F, Func, IntegerField, OuterRef, Prefetch, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from wagtail.images import get_image_model

from home.services import public

from .outline import lesson_model
from .search import add_lesson, course_match, query_stems
from .visibility import reachable

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
        public(lesson_model().objects.filter(path__startswith=OuterRef("path"), depth__gt=OuterRef("depth")))
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


def search_course_ids(index, courses, query):
    """Ids of ``courses`` (the catalogue's) matching ``query`` themselves or through one of their
    lessons, most relevant first, and each one's ``search.Match`` (why it matched).

    Courses matched in their own text come first, then those matched through a lesson's title,
    summary or prose, then those matched only through code. Lessons are indexed with public
    text only (``LessonPage.search_fields``), so gated bodies never match.
    """
    stems = query_stems(query)
    matches = {}
    for course in public(courses.live()).search(query)[:MAX_SEARCH_HITS]:
        matches[course.pk] = course_match(course, stems)
    lessons = public(lesson_model().objects.descendant_of(index).live())
    # As a pk__in subquery, which Wagtail's search backend accepts (it cannot filter on EXISTS).
    lessons = lessons.filter(pk__in=reachable(lessons).values("pk")).search(query)[:MAX_SEARCH_HITS]
    course_path_length = len(index.path) + index.steplen
    lessons_by_course_path = {}
    for lesson in lessons:
        lessons_by_course_path.setdefault(lesson.path[:course_path_length], []).append(lesson)
    if lessons_by_course_path:
        via_lessons = courses.filter(path__in=lessons_by_course_path).order_by("path")
        for pk, path in via_lessons.values_list("pk", "path"):
            for lesson in lessons_by_course_path[path]:
                matches[pk] = add_lesson(matches.get(pk), lesson, stems)
    # sorted() is stable: within a tier, the search backend's relevance order is kept.
    ids = sorted(matches, key=lambda pk: matches[pk].tier)
    return ids, matches


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

    matches = {}
    if query:
        ids, matches = search_course_ids(index, all_courses, query)
        ranking = Case(
            *[When(pk=pk, then=Value(rank)) for rank, pk in enumerate(ids)], output_field=IntegerField()
        )
        courses = (
            courses.filter(Q(pk__in=ids)).annotate(rank=ranking).order_by("rank") if ids else courses.none()
        )
    else:
        courses = courses.order_by("path")

    paginator = Paginator(courses, index.courses_per_page or 12)
    page = paginator.get_page(request.GET.get("page"))
    if matches:
        page.object_list = list(page.object_list)
        for course in page.object_list:
            course.search_match = matches.get(course.pk)
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
