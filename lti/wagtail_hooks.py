"""LTI in the Wagtail admin: Settings > LTI platforms (issuer, client id, endpoints, deployments),
with each platform's last launch and last grade post in the listing."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Platform


class PlatformViewSet(SnippetViewSet):
    model = Platform
    icon = "link-external"
    menu_label = _("LTI platforms")
    menu_name = "lti-platforms"
    add_to_settings_menu = True
    list_display = [
        "name",
        "issuer",
        "client_id",
        Column("deployment_ids", label=_("Deployments"), accessor="deployment_list"),
        "is_active",
        DateColumn("last_launch_at", label=_("Last launch")),
        DateColumn("last_grade_post_at", label=_("Last grade post")),
        Column("last_grade_error", label=_("Last grade error")),
    ]
    list_filter = ["is_active"]
    search_fields = ["name", "issuer", "client_id"]
    search_backend_name = None
    inspect_view_enabled = True
    inspect_view_fields = [
        "name",
        "issuer",
        "client_id",
        "auth_login_url",
        "auth_token_url",
        "auth_audience",
        "key_set_url",
        "frame_origins",
        "is_active",
        "last_launch_at",
        "last_grade_post_at",
        "last_grade_error",
    ]


register_snippet(PlatformViewSet)
