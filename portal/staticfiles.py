"""``django.contrib.staticfiles``'s app config for this project (INSTALLED_APPS names it).

Kept out of ``portal/apps.py``: Django takes an app's config from its ``apps.py`` only when that
module defines exactly one, so a second one there left ``PortalConfig.ready()`` (signal
handlers, the CSV guard, the database retry, the metrics wrapper) unrun.
"""

from django.contrib.staticfiles.apps import StaticFilesConfig as BaseStaticFilesConfig


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
