from django.apps import AppConfig


class LessonsConfig(AppConfig):
    name = "lessons"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from courses.services import register_approval_check, register_lesson_source
        from media_library.services import register_access_policy, register_document_access_policy

        from . import signal_handlers
        from .access import can_view_document, can_view_media
        from .course_source import LessonPages
        from .forms import unreadable_document_problems

        # courses needs the lesson model, completions and drip dates: its one declared seam.
        register_lesson_source(LessonPages())
        # media_library knows nothing of courses: lessons tell it who may play a file,
        # since a lesson's free-preview flag and its course's enrollments decide that.
        register_access_policy(can_view_media)
        register_document_access_policy(can_view_document)
        # The review workflow's approval publishes without the lesson's form: it asks the same.
        register_approval_check(unreadable_document_problems)
        signal_handlers.connect()
