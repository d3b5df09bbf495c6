"""Wagtail admin hooks for the course enrollment report (imported by ``wagtail_hooks``)."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.models import Page
from wagtail.permission_policies.pages import PagePermissionPolicy

from .reports import CourseEnrollmentReportView


class CourseEnrollmentReportMenuItem(MenuItem):
    def is_shown(self, request):
        return PagePermissionPolicy(Page).user_has_any_permission(request.user, ["add", "change", "publish"])


@hooks.register("register_admin_urls")
def register_course_enrollment_report_urls():
    return [
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
