from django.apps import AppConfig
from django.contrib.staticfiles.apps import StaticFilesConfig as BaseStaticFilesConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Ringlet portal"

    def ready(self):
        from portal import database, languages, metrics, signal_handlers, spreadsheets

        signal_handlers.connect()
        languages.keep_the_explorer_query_count()
        metrics.count_database_errors()
        database.install()
        spreadsheets.install()


class StaticFilesConfig(BaseStaticFilesConfig):
    """``django.contrib.staticfiles`` with npm build files collectstatic must leave out.

    Plyr's dist holds unminified builds (``plyr.js``, ``plyr.mjs``, the polyfilled ones) whose
    ``sourceMappingURL`` names maps the package does not ship, which the manifest storage
    refuses; the player serves ``plyr.min.js`` (with its map), ``plyr.css`` and ``plyr.svg``.
    """

    ignore_patterns = [
        *BaseStaticFilesConfig.ignore_patterns,
        "plyr.js",
        "plyr.mjs",
        "plyr.polyfilled.js",
        "plyr.polyfilled.mjs",
    ]
