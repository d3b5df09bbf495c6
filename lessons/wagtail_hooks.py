"""Lesson gating: Wagtail serves a lesson page only to those the gating rule allows."""

from django.http import Http404
from django.template.response import TemplateResponse
from wagtail import hooks

from .learner import lesson_learner
from .models import LessonPage


@hooks.register("before_serve_page")
def gate_lessons(page, request, serve_args, serve_kwargs):
    """Show a visitor who may not read a lesson why, and how to get in, instead of its body.

    The answer is a 403 page with the lesson's title and summary (public anyway), the reason
    ("for enrolled students"), sign-up / log-in / enroll buttons that come back to the
    lesson, and the course outline with what is free.
    """
    if not isinstance(page, LessonPage):
        return None
    learner = lesson_learner(request, page)
    if learner.can_view:
        return None
    if not page.is_published:
        # A live lesson inside an unpublished course or module is still a draft to students.
        raise Http404
    context = {"page": page, "self": page, "learning": learner, **page.navigation()}
    return TemplateResponse(request, "lessons/locked_lesson.html", context, status=403)
