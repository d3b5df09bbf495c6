"""Lesson gating: Wagtail serves a lesson page only to those ``can_view_lesson`` allows."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect
from wagtail import hooks

from courses import services as courses

from .models import LessonPage
from .tracking import can_view_lesson, lesson_is_published


@hooks.register("before_serve_page")
def gate_lessons(page, request, serve_args, serve_kwargs):
    """Send a visitor who may not read a lesson to log in (anonymous) or to the course page (not enrolled)."""
    if not isinstance(page, LessonPage) or can_view_lesson(request.user, page):
        return None
    if not lesson_is_published(page):
        # A live lesson inside an unpublished course or module is still a draft to students.
        raise Http404
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
    course = courses.course_of(page)
    messages.info(
        request,
        f"“{page.title}” is for students enrolled in “{course.title}”. Enroll below to read it.",
    )
    return redirect(course.get_url(request) or "/")
