"""The read-only headless API at /api/ (Wagtail API v2): published, public pages only.

Wagtail 8 also ships an API v3 (django-ninja), which is a read-write page API; the
v2 router gives read-only, per-type endpoints such as /api/courses/ with less code.
"""

from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet

from courses.models import CoursePage
from courses.services import reachable
from lessons.models import LessonPage


class TypedPagesAPIViewSet(PagesAPIViewSet):
    """Pages of one type; the generic ``type`` parameter may not widen it."""

    def get_queryset(self):
        # As a pk__in subquery, which Wagtail's search backend (?search=) accepts.
        visible = reachable(self.get_base_queryset()).values_list("pk", flat=True)
        return self.model.objects.filter(pk__in=visible).order_by("path")


class CoursesAPIViewSet(TypedPagesAPIViewSet):
    model = CoursePage
    name = "courses"
    listing_default_fields = PagesAPIViewSet.listing_default_fields + [
        "summary",
        "cover_image",
        "category_name",
        "level",
        "language",
        "estimated_hours",
    ]


class LessonsAPIViewSet(TypedPagesAPIViewSet):
    model = LessonPage
    name = "lessons"
    listing_default_fields = PagesAPIViewSet.listing_default_fields + [
        "summary",
        "estimated_minutes",
        "free_preview",
    ]


api_router = WagtailAPIRouter("api")
api_router.register_endpoint("courses", CoursesAPIViewSet)
api_router.register_endpoint("lessons", LessonsAPIViewSet)
