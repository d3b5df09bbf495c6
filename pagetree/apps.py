from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PageTreeConfig(AppConfig):
    """The page-tree kernel: the content version, cached view restrictions and the generic blocks."""

    name = "pagetree"
    verbose_name = _("Page tree")

    def ready(self):
        from . import signal_handlers

        signal_handlers.connect()
