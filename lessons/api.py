"""The lessons endpoint of the read-only API (mounted at /api/lessons/ by portal.api)."""

from wagtail.api.v2.views import PagesAPIViewSet

# The serializer is the courses endpoint's, imported from there: services is loaded with the models.
from courses.services import course_learner, visible_pages
from pagetree.api import PublicPageSerializer

from .access import may_read
from .models import LessonPage


class LessonsAPIViewSet(PagesAPIViewSet):
    """Published, public lessons of published courses; a body only for those who may read the lesson
    (``PreviewBodyField``: free previews, enrolled students once it opens, its staff)."""

    base_serializer_class = PublicPageSerializer
    model = LessonPage
    name = "lessons"
    listing_default_fields = PagesAPIViewSet.listing_default_fields + [
        "summary",
        "estimated_minutes",
        "free_preview",
    ]

    def may_read(self, lesson):
        """Whether this request's user may read ``lesson``'s body (the lesson page's gating rule)."""
        return may_read(course_learner(self.request, lesson.course), lesson)

    def get_queryset(self):
        return visible_pages(self.model, self.get_base_queryset()).order_by("path")
