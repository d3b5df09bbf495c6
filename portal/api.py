"""The read-only headless API at /api/ (Wagtail API v2): published, public pages only.

Wagtail 8 also ships an API v3 (django-ninja), a read-write page API; the v2 router gives
read-only, per-type endpoints such as /api/courses/ with less code. The endpoints belong
to their apps; this module only mounts them.
"""

from wagtail.api.v2.router import WagtailAPIRouter

from courses.api import CoursesAPIViewSet
from lessons.api import LessonsAPIViewSet

api_router = WagtailAPIRouter("api")
api_router.register_endpoint("courses", CoursesAPIViewSet)
api_router.register_endpoint("lessons", LessonsAPIViewSet)
