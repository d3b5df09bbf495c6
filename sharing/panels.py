"""The edit view's "Share links" panel: this page's links, their creators and expiry dates."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import Panel

from .models import ShareLink


class ShareLinksPanel(Panel):
    """Lists the page's share links, with a link to create and revoke them (``sharing_page_links``).

    The buttons are links, not forms: the panel sits inside the page's edit form.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("heading", _("Share links"))
        super().__init__(*args, **kwargs)

    class BoundPanel(Panel.BoundPanel):
        template_name = "sharing/panel.html"

        def is_shown(self):
            return self.instance is not None and self.instance.pk is not None

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["page"] = self.instance
            context["links"] = list(
                ShareLink.objects.filter(page_id=self.instance.pk).select_related("created_by", "revoked_by")[
                    :20
                ]
            )
            return context
