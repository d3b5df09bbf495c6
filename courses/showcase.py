"""Courses shown on other pages (the home page's featured courses and topics), via ``courses.services``."""

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import translation

from pagetree.services import public

from .catalogue import published_courses
from .models import Category, CourseIndexPage, CoursePage


def featured_courses(chosen, count=3):
    """Cards for the ``chosen`` course pages (in the editor's order, published ones only), or
    the ``count`` newest published courses when none are chosen."""
    courses = published_courses(CoursePage.objects.all())
    chosen_ids = [page.pk for page in chosen or () if page is not None]
    if chosen_ids:
        by_id = {course.pk: course for course in courses.filter(pk__in=chosen_ids)}
        return [by_id[pk] for pk in chosen_ids if pk in by_id]
    return list(in_active_language(courses).order_by("-first_published_at", "-pk")[: count or 3])


def in_active_language(pages):
    """``pages`` in the active language's locale, on a site with several languages (the home page
    in French features French courses); all of them on a single-language site."""
    if len(settings.LANGUAGES) < 2:
        return pages
    return pages.filter(locale__language_code=translation.get_language())


def course_categories(request=None):
    """``(category, catalogue URL filtered by it)`` for each category with a published course."""
    catalogue = in_active_language(public(CourseIndexPage.objects.live())).order_by("path").first()
    catalogue = catalogue or public(CourseIndexPage.objects.live()).order_by("path").first()
    if catalogue is None:
        return []
    url = catalogue.get_url(request)
    published = public(CoursePage.objects.live()).filter(category=OuterRef("pk"))
    categories = Category.objects.filter(Exists(published))
    return [(category, f"{url}?category={category.slug}") for category in categories]
