from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page

from pagetree.services import CachedViewRestrictionsMixin

from .blocks import HOME_BLOCKS


class HomePage(CachedViewRestrictionsMixin, Page):
    """The site root; everything public hangs below it."""

    body = StreamField(HOME_BLOCKS, blank=True, use_json_field=True, verbose_name=_("body"))

    content_panels = Page.content_panels + [FieldPanel("body")]

    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")
