from django.apps import AppConfig


class MediaLibraryConfig(AppConfig):
    name = "media_library"
    verbose_name = "Media library"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from outbox.services import on_published

        from . import services, signal_handlers

        signal_handlers.connect()
        # An item is queued once the outbox relay has handed its transcode to the broker.
        on_published(services.TRANSCODE, services.mark_queued)
