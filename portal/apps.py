from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Ringlet portal")

    def ready(self):
        from portal import database, languages, metrics, signal_handlers, spreadsheets

        signal_handlers.connect()
        languages.keep_the_explorer_query_count()
        metrics.count_database_errors()
        database.install()
        spreadsheets.install()
