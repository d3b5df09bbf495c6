"""Lesson gating (Wagtail serves a lesson page only to those the gating rule allows) and quiz statistics."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .access import refusal
from .admin_views import QuizStatisticsView
from .learner import lesson_learner
from .models import LessonPage
from .quiz_stats import may_see_statistics


@hooks.register("before_serve_page")
def gate_lessons(page, request, serve_args, serve_kwargs):
    """Explain to a visitor who may not read a lesson why, instead of showing its body (``refusal``).

    A draft is a 404. An enrolled student early for a drip lesson goes back to the course page,
    told when it opens. Anyone else (a visitor, or a student not enrolled) gets a 403 page with
    the lesson's title and summary (public anyway), the reason ("for enrolled students"),
    sign-up / log-in / enroll buttons that come back to the lesson, and the course outline
    with what is free. The page uses the CSRF token and is not a 200, so the anonymous page
    cache (``portal.page_cache``) never keeps it.
    """
    if not isinstance(page, LessonPage):
        return None
    learner = lesson_learner(request, page)
    if learner.can_view:
        return None
    why = refusal(learner.course_learner, page)
    if why.kind == "draft":
        # A live lesson inside an unpublished course or module is still a draft to students.
        raise Http404
    if why.kind == "closed":
        messages.info(request, why.message)
        return redirect(learner.course_learner.course.get_url(request) or "/")
    context = {"page": page, "self": page, "learning": learner, **page.navigation()}
    return TemplateResponse(request, "lessons/locked_lesson.html", context, status=403)


class QuizStatisticsMenuItem(MenuItem):
    def is_shown(self, request):
        return may_see_statistics(request.user)


@hooks.register("register_admin_urls")
def register_quiz_statistics_urls():
    return [path("reports/quiz-statistics/", QuizStatisticsView.as_view(), name="quiz_statistics")]


@hooks.register("register_reports_menu_item")
def register_quiz_statistics_menu_item():
    return QuizStatisticsMenuItem(
        _("Quiz statistics"),
        reverse("quiz_statistics"),
        name="quiz-statistics",
        icon_name="tasks",
        order=1010,
    )
