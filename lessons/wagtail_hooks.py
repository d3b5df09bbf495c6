"""Lesson gating (Wagtail serves a lesson page only to those the gating rule allows) and quiz statistics."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .access import refusal
from .admin_views import QuizStatisticsView
from .learner import lesson_learner
from .models import LessonPage
from .quiz_stats import may_see_statistics


@hooks.register("before_serve_page")
def gate_lessons(page, request, serve_args, serve_kwargs):
    """Send a visitor who may not read a lesson to log in (anonymous) or to the course page
    (not enrolled, or a drip lesson not open yet), with the gate's explanation (``refusal``)."""
    if not isinstance(page, LessonPage):
        return None
    learner = lesson_learner(request, page)
    if learner.can_view:
        return None
    why = refusal(learner.course_learner, page)
    if why.kind == "draft":
        # A live lesson inside an unpublished course or module is still a draft to students.
        raise Http404
    if why.kind == "login":
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
    messages.info(request, why.message)
    return redirect(learner.course.get_url(request) or "/")


class QuizStatisticsMenuItem(MenuItem):
    def is_shown(self, request):
        return may_see_statistics(request.user)


@hooks.register("register_admin_urls")
def register_quiz_statistics_urls():
    return [path("reports/quiz-statistics/", QuizStatisticsView.as_view(), name="quiz_statistics")]


@hooks.register("register_reports_menu_item")
def register_quiz_statistics_menu_item():
    return QuizStatisticsMenuItem(
        "Quiz statistics", reverse("quiz_statistics"), name="quiz-statistics", icon_name="tasks", order=1010
    )
