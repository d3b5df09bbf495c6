"""Course listings for other pages' blocks (the home page's featured courses, categories and
"continue learning"), so those apps render courses without importing ``courses``."""

from django import template
from django.db.models import Exists, OuterRef

from courses.catalogue import published_courses
from courses.models import Category, CourseIndexPage, CoursePage
from courses.progress import dashboard_entries
from home.services import public

register = template.Library()


@register.simple_tag
def featured_courses(chosen, count=3):
    """Cards for the ``chosen`` course pages (in the editor's order, published ones only), or
    the ``count`` newest published courses when none are chosen."""
    courses = published_courses(CoursePage.objects.all())
    chosen_ids = [page.pk for page in chosen or () if page is not None]
    if chosen_ids:
        by_id = {course.pk: course for course in courses.filter(pk__in=chosen_ids)}
        return [by_id[pk] for pk in chosen_ids if pk in by_id]
    return list(courses.order_by("-first_published_at", "-pk")[: count or 3])


@register.simple_tag(takes_context=True)
def course_categories(context):
    """``(category, catalogue URL filtered by it)`` for each category with a published course."""
    catalogue = public(CourseIndexPage.objects.live()).order_by("path").first()
    if catalogue is None:
        return []
    url = catalogue.get_url(context.get("request"))
    published = public(CoursePage.objects.live()).filter(category=OuterRef("pk"))
    categories = Category.objects.filter(Exists(published))
    return [(category, f"{url}?category={category.slug}") for category in categories]


@register.simple_tag(takes_context=True)
def courses_in_progress(context, limit=3):
    """The request user's unfinished courses (DashboardEntry), most recent first; empty for visitors."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    return [entry for entry in dashboard_entries(user) if not entry.enrollment.completed_at][:limit]
