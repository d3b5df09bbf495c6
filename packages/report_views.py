"""The admin's "Content packages" report (Reports menu): one row per package, and a page per package."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from .report import may_see_reports, package_report, reportable_packages


class _ReportMixin(WagtailAdminTemplateMixin):
    header_icon = "folder-open-inverse"

    def dispatch(self, request, *args, **kwargs):
        if not may_see_reports(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class PackageReportsView(_ReportMixin, TemplateView):
    page_title = _("Content packages")
    template_name = "packages/admin/reports.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["reports"] = [package_report(p, top=1) for p in reportable_packages(self.request.user)[:200]]
        return context


class PackageReportView(_ReportMixin, TemplateView):
    template_name = "packages/admin/report.html"

    def get_page_title(self):
        return f"Report: {self.package.title}"

    def dispatch(self, request, *args, **kwargs):
        if not may_see_reports(request.user):
            raise PermissionDenied
        self.package = get_object_or_404(reportable_packages(request.user), pk=kwargs["package_id"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["report"] = package_report(self.package, top=10)
        return context
