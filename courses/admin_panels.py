"""The admin dashboard's panels: my courses and their moderation state, the media processing
queue, and enrollments this week. Each lists only what the user may work on."""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count
from django.utils import timezone
from wagtail.admin.ui.components import Component
from wagtail.models import Page, WorkflowState
from wagtailmedia import get_permission_policy

from .models import CoursePage, Enrollment
from .roles import may_start_course, visible_courses

QUEUE_STATES = [("pending", "Queued"), ("processing", "Processing"), ("failed", "Failed")]


def moderation_state(course, states):
    """``In review: <task>``, ``Changes requested``, or the page's own status (draft, live...)."""
    state = states.get(str(course.pk))
    if state is not None:
        task = state.current_task_state.task.name if state.current_task_state else ""
        if state.status == WorkflowState.STATUS_NEEDS_CHANGES:
            return "Changes requested"
        return f"In review: {task}" if task else "In review"
    return course.status_string.capitalize()


class MyCoursesPanel(Component):
    name = "my_courses"
    order = 90
    template_name = "courses/admin/panels/my_courses.html"

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context):
        courses = list(
            visible_courses(self.user, CoursePage.objects.all()).order_by("-latest_revision_created_at")[:20]
        )
        states = {
            state.object_id: state
            for state in WorkflowState.objects.active()
            .filter(
                base_content_type=ContentType.objects.get_for_model(Page),
                object_id__in=[str(course.pk) for course in courses],
            )
            .select_related("current_task_state__task")
        }
        return {
            "rows": [(course, moderation_state(course, states)) for course in courses],
            "can_start": may_start_course(self.user),
        }


class MediaQueuePanel(Component):
    name = "media_queue"
    order = 95
    template_name = "courses/admin/panels/media_queue.html"

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context):
        media = get_permission_policy().instances_user_has_any_permission_for(self.user, ["change", "delete"])
        queue = media.filter(status__in=[state for state, _ in QUEUE_STATES])
        counts = dict(queue.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
        items = {
            state: list(queue.filter(status=state).order_by("-created_at")[:5]) for state, _ in QUEUE_STATES
        }
        return {
            "states": [(state, label, counts.get(state, 0), items[state]) for state, label in QUEUE_STATES],
        }


class EnrollmentsThisWeekPanel(Component):
    name = "enrollments_this_week"
    order = 100
    template_name = "courses/admin/panels/enrollments_this_week.html"

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context):
        since = timezone.now() - timedelta(days=7)
        courses = visible_courses(self.user, CoursePage.objects.all())
        recent = Enrollment.objects.filter(enrolled_at__gte=since, course__in=courses.values("pk"))
        by_course = (
            recent.values("course_id", "course__title")
            .annotate(n=Count("pk"))
            .order_by("-n", "course__title")[:10]
        )
        return {"total": recent.count(), "by_course": list(by_course), "since": since}


def dashboard_panels(user):
    """The panels for ``user``'s dashboard: the course ones for whoever may work on a course."""
    panels = []
    if visible_courses(user, CoursePage.objects.all()).exists() or user.is_superuser:
        panels += [MyCoursesPanel(user), EnrollmentsThisWeekPanel(user)]
    elif may_start_course(user):
        # An instructor's first visit: no course yet, so the panel is the way to start one.
        panels.append(MyCoursesPanel(user))
    if get_permission_policy().user_has_any_permission(user, ["add", "change"]):
        panels.append(MediaQueuePanel(user))
    return panels
