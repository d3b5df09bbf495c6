from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Category, Instructor


class CategoryViewSet(SnippetViewSet):
    model = Category
    icon = "folder-open-inverse"
    list_display = ["name", "slug"]
    search_fields = ["name", "description"]
    search_backend_name = None  # plain ORM lookups; categories are not in the search index


class InstructorViewSet(SnippetViewSet):
    model = Instructor
    icon = "user"
    list_display = ["name", "user"]
    search_fields = ["name"]
    search_backend_name = None


class CourseSnippets(SnippetViewSetGroup):
    items = (CategoryViewSet, InstructorViewSet)
    menu_label = "Courses"
    menu_icon = "folder-open-inverse"
    menu_name = "courses"


register_snippet(CourseSnippets)

from . import report_hooks  # noqa: E402, F401  (the enrollment report registers its own hooks)
