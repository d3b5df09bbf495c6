from django.apps import AppConfig
from django.core import checks


class MediaLibraryConfig(AppConfig):
    name = "media_library"
    verbose_name = "Media library"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks as media_checks
        from . import signal_handlers

        signal_handlers.connect()
        # The access policies and grant checks other apps register, checked at start-up.
        checks.register(media_checks.registries, checks.Tags.security)
