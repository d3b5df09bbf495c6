"""The admin's package chooser (a modal listing ready packages the editor may choose), and its block.

Imports no views of its own beyond Wagtail's generic chooser, so ``packages.blocks`` (which the
lesson page model imports) can use it.
"""

from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.permissions import policy_registry


class _ChoosableMixin:
    def get_object_list(self):
        from .models import ContentPackage

        policy = policy_registry.get_by_type(ContentPackage)
        allowed = policy.instances_user_has_any_permission_for(self.request.user, ["choose", "change"])
        return allowed.filter(status=ContentPackage.Status.READY).exclude(version="").order_by("-created_at")


class PackageChooseView(_ChoosableMixin, chooser_views.ChooseView):
    pass


class PackageChooseResultsView(_ChoosableMixin, chooser_views.ChooseResultsView):
    pass


class PackageChooserViewSet(ChooserViewSet):
    model = "packages.ContentPackage"
    icon = "folder-open-inverse"
    choose_one_text = "Choose a content package"
    choose_another_text = "Choose another package"
    edit_item_text = "Edit this package"
    choose_view_class = PackageChooseView
    choose_results_view_class = PackageChooseResultsView


package_chooser_viewset = PackageChooserViewSet("package_chooser", url_prefix="packages/chooser")
