from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class MediaLibraryConfig(AppConfig):
    name = "media_library"
    verbose_name = _("Media library")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from outbox.services import on_published

        from . import checks as media_checks
        from . import signal_handlers, status, tasks

        signal_handlers.connect()
        # An item is queued once the outbox relay has handed its transcode to the broker.
        on_published(tasks.TRANSCODE, status.mark_queued)
        # The access policies and grant checks other apps register, checked at start-up.
        checks.register(media_checks.registries, checks.Tags.security)
