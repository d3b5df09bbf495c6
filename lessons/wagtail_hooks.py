"""Lesson gating: Wagtail serves a lesson page only to those the gating rule allows."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect
from wagtail import hooks

from courses.services import opens_on_text

from .learner import lesson_learner
from .models import LessonPage


@hooks.register("before_serve_page")
def gate_lessons(page, request, serve_args, serve_kwargs):
    """Send a visitor who may not read a lesson to log in (anonymous) or to the course page (not enrolled)."""
    if not isinstance(page, LessonPage):
        return None
    learner = lesson_learner(request, page)
    if learner.can_view:
        return None
    if not page.is_published:
        # A live lesson inside an unpublished course or module is still a draft to students.
        raise Http404
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
    course = learner.course
    opens = learner.course_learner.still_closed_until(page) if learner.enrolled else None
    if opens is not None:
        messages.info(request, f"“{page.title}” opens on {opens_on_text(opens)}.")
        return redirect(course.get_url(request) or "/")
    messages.info(
        request,
        f"“{page.title}” is for students enrolled in “{course.title}”. Enroll below to read it.",
    )
    return redirect(course.get_url(request) or "/")
