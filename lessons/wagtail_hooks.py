"""Lesson gating: Wagtail serves a lesson page only to those the gating rule allows."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect
from wagtail import hooks

from .access import refusal
from .learner import lesson_learner
from .models import LessonPage


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
