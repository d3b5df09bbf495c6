"""The courses app in the Wagtail admin: its snippets and the course enrollment report."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .admin_panels import dashboard_panels
from .admin_views import StartCourseView
from .models import Category, Certificate, Instructor
from .reports import CourseEnrollmentReportView
from .roles import may_start_course


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


class CertificateViewSet(SnippetViewSet):
    """Issued certificates; editors revoke one by ticking "revoked" (and giving a reason)."""

    model = Certificate
    icon = "doc-full"
    list_display = ["code", "student_name", "course_title", "completed_at", "revoked"]
    # CSV and XLSX downloads of the listing (formulas written as text: portal/spreadsheets.py).
    list_export = ["code", "student_name", "course_title", "completed_at", "revoked"]
    list_filter = ["revoked"]
    search_fields = ["code", "student_name", "course_title"]
    search_backend_name = None
    panels = [FieldPanel("revoked"), FieldPanel("revoked_reason")]


class CourseSnippets(SnippetViewSetGroup):
    items = (CategoryViewSet, InstructorViewSet, CertificateViewSet)
    menu_label = "Courses"
    menu_icon = "folder-open-inverse"
    menu_name = "courses"


register_snippet(CourseSnippets)


class CourseEnrollmentReportMenuItem(MenuItem):
    def is_shown(self, request):
        return PagePermissionPolicy(Page).user_has_any_permission(request.user, ["add", "change", "publish"])


class StartCourseMenuItem(MenuItem):
    def is_shown(self, request):
        return may_start_course(request.user)


@hooks.register("register_admin_menu_item")
def register_start_course_menu_item():
    return StartCourseMenuItem(
        "New course", reverse("course_start"), name="new-course", icon_name="plus", order=150
    )


@hooks.register("register_admin_urls")
def register_course_enrollment_report_urls():
    return [
        path("courses/new/", StartCourseView.as_view(), name="course_start"),
        path(
            "reports/course-enrollments/",
            CourseEnrollmentReportView.as_view(),
            name="course_enrollment_report",
        ),
        path(
            "reports/course-enrollments/results/",
            CourseEnrollmentReportView.as_view(results_only=True),
            name="course_enrollment_report_results",
        ),
    ]


@hooks.register("register_reports_menu_item")
def register_course_enrollment_report_menu_item():
    return CourseEnrollmentReportMenuItem(
        "Course enrollments",
        reverse("course_enrollment_report"),
        name="course-enrollments",
        icon_name="group",
        order=1000,
    )


@hooks.register("construct_homepage_panels")
def add_dashboard_panels(request, panels):
    panels.extend(dashboard_panels(request.user))
