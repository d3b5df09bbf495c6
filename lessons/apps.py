from django.apps import AppConfig


class LessonsConfig(AppConfig):
    name = "lessons"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from courses.services import register_completion_source, register_lesson_model

        from .models import LessonPage
        from .tracking import completed_lesson_ids

        register_lesson_model(LessonPage)
        register_completion_source(completed_lesson_ids)
