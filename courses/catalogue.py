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
from .visibility import reachable

COVER_FILTER = "fill-640x360"
# Enough for any real search; keeps the relevance ordering bounded.
MAX_SEARCH_HITS = 500


def with_lesson_stats(courses):
    """Annotate a CoursePage queryset with ``lesson_count`` and ``total_minutes`` of live lessons.

    Two correlated subqueries, so a catalogue of any length costs one query.
    """
    lessons = (
        lesson_model()
        .objects.filter(live=True, path__startswith=OuterRef("path"), depth__gt=OuterRef("depth"))
        .order_by()
    )
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
            Prefetch("cover_image", queryset=get_image_model().objects.prefetch_renditions(COVER_FILTER))
        )
    )


def search_course_ids(index, courses, query):
    """Ids of ``courses`` (the catalogue's) matching ``query`` themselves or through one of their lessons.

    Most relevant first: courses matched directly, then courses matched through a lesson.
    """
    ids = [course.pk for course in public(courses.live()).search(query)[:MAX_SEARCH_HITS]]
    lessons = public(lesson_model().objects.descendant_of(index).live())
    # As a pk__in subquery, which Wagtail's search backend accepts (it cannot filter on EXISTS).
    lessons = lessons.filter(pk__in=reachable(lessons).values("pk")).search(query)[:MAX_SEARCH_HITS]
    course_path_length = len(index.path) + index.steplen
    lesson_course_paths = {lesson.path[:course_path_length] for lesson in lessons}
    if lesson_course_paths:
        via_lessons = courses.filter(path__in=lesson_course_paths).order_by("path")
        ids += [pk for pk in via_lessons.values_list("pk", flat=True) if pk not in ids]
    return ids


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

    if query:
        ids = search_course_ids(index, all_courses, query)
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
