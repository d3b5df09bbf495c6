from django.urls import reverse
from django.utils.translation import ngettext
from wagtail import hooks
from wagtail.admin.forms.collections import collection_member_permission_formset_factory

from .admin_views import package_viewset
from .choosers import package_chooser_viewset
from .models import ContentPackage


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
