"""The catalogue's query: filters, full-text search and pagination in a fixed number of queries."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Prefetch, Q, Value, When
from wagtail.images import get_image_model

from .models import LEVELS, Category, CoursePage
from .services import lesson_model, reachable, with_lesson_stats

COVER_FILTER = "fill-640x360"
# Enough for any real search; keeps the relevance ordering bounded.
MAX_SEARCH_HITS = 500


def published_courses(index):
    """Live, public courses of the catalogue ``index`` with what a course card shows, in one query."""
    courses = CoursePage.objects.child_of(index).live().public()
    return (
        with_lesson_stats(courses)
        .select_related("category")
        .prefetch_related(
            Prefetch("cover_image", queryset=get_image_model().objects.prefetch_renditions(COVER_FILTER))
        )
    )


def search_course_ids(index, query):
    """Ids of the catalogue's courses matching ``query`` themselves or through one of their lessons.

    Most relevant first: courses matched directly, then courses matched through a lesson.
    """
    ids = [
        course.pk
        for course in CoursePage.objects.child_of(index).live().public().search(query)[:MAX_SEARCH_HITS]
    ]
    lessons = lesson_model().objects.descendant_of(index).live().public()
    # As a pk__in subquery, which Wagtail's search backend accepts (it cannot filter on EXISTS).
    lessons = lessons.filter(pk__in=reachable(lessons).values("pk")).search(query)[:MAX_SEARCH_HITS]
    course_path_length = len(index.path) + index.steplen
    lesson_course_paths = {lesson.path[:course_path_length] for lesson in lessons}
    if lesson_course_paths:
        via_lessons = CoursePage.objects.filter(path__in=lesson_course_paths).order_by("path")
        ids += [pk for pk in via_lessons.values_list("pk", flat=True) if pk not in ids]
    return ids


def catalogue_context(index, request):
    """Template context for the catalogue page: the current filters and one page of courses."""
    category_slug = request.GET.get("category", "").strip()
    level = request.GET.get("level", "").strip()
    query = request.GET.get("q", "").strip()[:200]

    categories = list(Category.objects.all())
    courses = published_courses(index)
    category = next((c for c in categories if c.slug == category_slug), None)
    if category_slug and category is None:
        courses = courses.none()
    elif category:
        courses = courses.filter(category=category)
    if level in dict(LEVELS):
        courses = courses.filter(level=level)
    elif level:
        courses = courses.none()

    if query:
        ids = search_course_ids(index, query)
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
        "levels": LEVELS,
        "selected_category": category,
        "selected_level": level,
        "query": query,
        "courses": page,
        "paginator": paginator,
        "filter_query": urlencode(filters),
        "filters": filters,
        "cover_filter": COVER_FILTER,
    }
