"""The courses endpoint of the read-only API (mounted at /api/courses/ by portal.api)."""

from wagtail.api.v2.views import PagesAPIViewSet

from pagetree.api import PublicPageSerializer

from .catalogue import with_lesson_stats
from .models import CoursePage
from .visibility import visible_pages


class CoursesAPIViewSet(PagesAPIViewSet):
    """Published, public courses; the generic ``type`` parameter cannot widen it to other pages."""

    base_serializer_class = PublicPageSerializer
    model = CoursePage
    name = "courses"
    listing_default_fields = PagesAPIViewSet.listing_default_fields + [
        "summary",
        "cover_image",
        "category_name",
        "level",
        "language",
        "estimated_hours",
        "duration_minutes",
    ]

    def get_queryset(self):
        # Annotated with the lessons' times, so duration_minutes costs no query per course.
        # The locale gives each course's ``language`` (and ?locale= filters by it).
        queryset = visible_pages(self.model, self.get_base_queryset()).select_related("locale")
        return with_lesson_stats(queryset).order_by("path")
