"""Share links in the admin: their URLs, a menu item for the listing, and a page header button."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import Button

from . import admin_views
from .services import may_share


@hooks.register("register_admin_urls")
def register_sharing_urls():
    return [
        path("share-links/", admin_views.all_links, name="sharing_all_links"),
        path("share-links/page/<int:page_id>/", admin_views.page_links, name="sharing_page_links"),
        path("share-links/<int:link_id>/revoke/", admin_views.revoke_link, name="sharing_revoke"),
    ]


@hooks.register("register_settings_menu_item")
def register_share_links_menu_item():
    return MenuItem(
        _("Share links"), reverse("sharing_all_links"), name="share-links", icon_name="link", order=900
    )


@hooks.register("register_page_header_buttons")
def share_link_button(page, user, view_name=None, next_url=None):
    if page.pk and view_name == "edit" and may_share(user, page):
        yield Button(
            _("Share draft link"),
            reverse("sharing_page_links", args=[page.pk]),
            icon_name="link",
            priority=60,
        )
