from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from accounts.services import register_certificate_name_lock

        from . import signal_handlers
        from .certificates import has_certificate

        signal_handlers.connect(self)
        # A student's certificate name is theirs to change until a certificate carries it.
        register_certificate_name_lock(has_certificate)
