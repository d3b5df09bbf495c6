"""Admin report for instructors and editors: enrollments and completion rate per course."""

from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, NumberColumn, TitleColumn
from wagtail.admin.views.reports import ReportView
from wagtail.admin.widgets import Button
from wagtail.models import Page
from wagtail.permission_policies.pages import PagePermissionPolicy

from .enrollment import enrollment_counts
from .models import CoursePage
from .roles import visible_courses


def completion_rate(course):
    """Completed enrollments as a share of all enrollments, as a whole percentage (None without any)."""
    if not course.enrolled_count:
        return None
    return round(100 * course.completed_count / course.enrolled_count)


class RateColumn(Column):
    def get_value(self, instance):
        rate = completion_rate(instance)
        return _("none yet") if rate is None else f"{rate}%"


class CourseEnrollmentReportView(ReportView):
    page_title = _("Course enrollments")
    header_icon = "group"
    index_url_name = "course_enrollment_report"
    index_results_url_name = "course_enrollment_report_results"
    # Anyone who may edit pages (editors, moderators, instructors given page permissions).
    any_permission_required = ["add", "change", "publish"]
    paginate_by = 50
    columns = [
        TitleColumn("title", label=_("Course"), url_name="wagtailadmin_pages:edit"),
        Column("status_string", label=_("Status")),
        NumberColumn("enrolled_count", label=_("Enrolled")),
        NumberColumn("completed_count", label=_("Completed")),
        RateColumn("completion_rate", label=_("Completion rate")),
    ]
    list_export = ["title", "status_string", "enrolled_count", "completed_count", "completion_rate"]
    export_headings = {
        "title": _("Course"),
        "status_string": _("Status"),
        "enrolled_count": _("Enrolled"),
        "completed_count": _("Completed"),
        "completion_rate": _("Completion rate (%)"),
    }
    custom_field_preprocess = {}
    export_filename = "course-enrollments"

    def get_filename(self):
        """``course-enrollments-2026-12-04``: the report and the day, not Wagtail's generic name."""
        return f"{self.export_filename}-{timezone.localdate():%Y-%m-%d}"

    @cached_property
    def header_buttons(self):
        # The downloads are what people come to a report for: beside the title, not in "⋯".
        return [
            Button(_("Download CSV"), url=self.csv_export_url, icon_name="download", priority=10),
            Button(_("Download XLSX"), url=self.xlsx_export_url, icon_name="download", priority=20),
        ]

    @cached_property
    def header_more_buttons(self):
        return []

    @cached_property
    def permission_policy(self):
        return PagePermissionPolicy(Page)

    def get_queryset(self):
        courses = visible_courses(self.request.user, CoursePage.objects.all())
        return enrollment_counts(courses).order_by("-enrolled_count", "title")

    def decorate_paginated_queryset(self, object_list):
        for course in object_list:
            course.completion_rate = completion_rate(course)
        return object_list
