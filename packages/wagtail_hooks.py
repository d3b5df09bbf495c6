from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail import hooks
from wagtail.admin.forms.collections import collection_member_permission_formset_factory
from wagtail.admin.menu import MenuItem

from .admin_views import package_viewset
from .choosers import package_chooser_viewset
from .models import ContentPackage
from .report import may_see_reports
from .report_views import PackageReportsView, PackageReportView


@hooks.register("register_admin_viewset")
def register_viewsets():
    return [package_viewset, package_chooser_viewset]


@hooks.register("register_group_permission_panel")
def register_package_permissions_panel():
    # The group editor's "Content package permissions" per collection, as for images and media.
    return collection_member_permission_formset_factory(
        ContentPackage,
        [
            ("add_contentpackage", "Add", "Add content packages, and edit the ones you uploaded"),
            ("change_contentpackage", "Edit", "Edit any content package"),
            ("delete_contentpackage", "Delete", "Delete any content package"),
            ("choose_contentpackage", "Choose", "Choose content packages for lessons"),
        ],
        "wagtailadmin/permissions/includes/collection_member_permissions_formset.html",
    )


@hooks.register("describe_collection_contents")
def describe_collection_packages(collection):
    count = ContentPackage.objects.filter(collection=collection).count()
    if not count:
        return None
    return {
        "count": count,
        "count_text": ngettext("%(count)s content package", "%(count)s content packages", count)
        % {"count": count},
        "url": reverse("content_packages:index") + f"?collection={collection.pk}",
    }


@hooks.register("register_admin_urls")
def register_report_urls():
    return [
        path("reports/content-packages/", PackageReportsView.as_view(), name="package_reports"),
        path(
            "reports/content-packages/<int:package_id>/", PackageReportView.as_view(), name="package_report"
        ),
    ]


class PackageReportsMenuItem(MenuItem):
    def is_shown(self, request):
        return may_see_reports(request.user)


@hooks.register("register_reports_menu_item")
def register_package_reports_menu_item():
    return PackageReportsMenuItem(
        _("Content packages"),
        reverse("package_reports"),
        name="package-reports",
        icon_name="folder-open-inverse",
        order=1020,
    )
