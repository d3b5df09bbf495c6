"""The Wagtail admin's quiz statistics report, for editors and the course's instructors."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from .quiz import quizzes_of
from .quiz_stats import lessons_with_statistics, may_see_statistics, question_statistics


class QuizStatisticsView(WagtailAdminTemplateMixin, TemplateView):
    page_title = _("Quiz statistics")
    header_icon = "tasks"
    template_name = "lessons/admin/quiz_statistics.html"

    def dispatch(self, request, *args, **kwargs):
        if not may_see_statistics(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sections"] = [
            {"lesson": lesson, "quiz": quiz, "questions": question_statistics(lesson, quiz)}
            for lesson in lessons_with_statistics(self.request.user)
            for quiz in quizzes_of(lesson)
        ]
        return context
