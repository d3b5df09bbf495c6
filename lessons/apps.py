from django.apps import AppConfig


class LessonsConfig(AppConfig):
    name = "lessons"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from courses.services import register_lesson_model

        from .models import LessonPage

        register_lesson_model(LessonPage)
