from django.apps import AppConfig


class LtiConfig(AppConfig):
    """LTI 1.3 Advantage: Ringlet as a tool of Canvas, Moodle, Blackboard, Brightspace, Open edX."""

    name = "lti"
    verbose_name = "LTI"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from courses.services import register_course_reader

        from . import signal_handlers
        from .services import teaches

        # A platform's instructors read the course they placed without enrolling in it.
        register_course_reader(teaches)
        signal_handlers.connect()
