"""The admin's "Content packages" area: upload, list with status, edit, delete.

Wagtail's generic model views, with the collection permission policy registered in
``apps.py``: listings show the packages in collections where the user may change or delete,
and editing or deleting one is checked against its own collection.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, ObjectList, Panel
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from . import services
from .forms import ContentPackageForm
from .models import ContentPackage


class StatusPanel(Panel):
    """What the worker found: the status (or why the package was refused) and the package's facts."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "packages/admin/status_panel.html"

        def is_shown(self):
            return bool(self.instance and self.instance.pk)

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            package = self.instance
            context.update(
                {
                    "package": package,
                    "status_label": services.status_label(package),
                    "items": (package.details or {}).get("items", []),
                    "libraries": (package.details or {}).get("libraries", []),
                }
            )
            return context


class _InstancePermissionMixin:
    instance_action = "change"

    def get_object(self, queryset=None):
        package = super().get_object(queryset)
        if not self.permission_policy.user_has_permission_for_instance(
            self.request.user, self.instance_action, package
        ):
            raise PermissionDenied
        return package


class PackageIndexView(generic.IndexView):
    def get_base_queryset(self):
        return self.permission_policy.instances_user_has_any_permission_for(
            self.request.user, ["change", "delete"]
        ).select_related("collection")


class PackageCreateView(generic.CreateView):
    def save_instance(self):
        self.form.instance.uploaded_by_user = self.request.user
        self.form.instance.file_size = self.form.cleaned_data["file"].size
        return super().save_instance()


class PackageEditView(_InstancePermissionMixin, generic.EditView):
    def save_instance(self):
        if "file" in self.form.changed_data:
            self.form.instance.file_size = self.form.cleaned_data["file"].size
        return super().save_instance()


class PackageDeleteView(_InstancePermissionMixin, generic.DeleteView):
    instance_action = "delete"


class PackageViewSet(ModelViewSet):
    model = ContentPackage
    icon = "folder-open-inverse"
    menu_label = _("Content packages")
    menu_name = "content_packages"
    menu_order = 310
    add_to_admin_menu = True
    url_prefix = "packages"
    index_view_class = PackageIndexView
    add_view_class = PackageCreateView
    edit_view_class = PackageEditView
    delete_view_class = PackageDeleteView
    copy_view_enabled = False
    inspect_view_enabled = False
    search_fields = ["title"]
    list_filter = ["kind", "status", "collection"]
    list_display = [
        "title",
        Column("kind", label=_("Kind"), accessor="get_kind_display"),
        Column("status", label=_("Status"), accessor=services.status_label),
        "collection",
        "created_at",
    ]
    edit_handler = ObjectList(
        [FieldPanel("title"), FieldPanel("file"), FieldPanel("collection"), StatusPanel()],
        base_form_class=ContentPackageForm,
    )


package_viewset = PackageViewSet("content_packages")
