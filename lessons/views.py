"""Student actions in a lesson: mark it complete and save the playback position."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .completion import set_lesson_complete
from .learner import lesson_learner
from .models import LessonPage
from .playback import PlaybackRejected, read_heartbeat, save_playback


def _live_lesson_or_404(lesson_id):
    lesson = LessonPage.objects.live().filter(pk=lesson_id).first()
    if lesson is None:
        raise Http404("No such lesson.")
    return lesson


@require_POST
@login_required
def mark_complete(request, lesson_id):
    """POST ``complete=1`` (or ``0``) to mark a lesson complete (or not); needs an enrollment."""
    lesson = _live_lesson_or_404(lesson_id)
    learner = lesson_learner(request, lesson)
    course = learner.course
    if not learner.can_view or not learner.enrolled:
        messages.info(request, f"Enroll in “{course.title}” to keep track of your progress.")
        return redirect(course.get_url(request))
    complete = request.POST.get("complete", "1") != "0"
    was_complete = learner.course_learner.enrollment.completed_at is not None
    progress = set_lesson_complete(request.user, lesson, complete)
    if complete and progress.is_complete and not was_complete:
        messages.success(request, f"Congratulations: you have completed “{course.title}”!")
    elif complete:
        messages.success(request, f"“{lesson.title}” is marked complete.")
    else:
        messages.info(request, f"“{lesson.title}” is marked not complete.")
    target = request.POST.get("next")
    if not target or not url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        target = lesson.get_url(request)
    return redirect(target)


def _error(message, status=400):
    return JsonResponse({"error": message}, status=status)


@require_POST
def playback(request):
    """Save a heartbeat ``{lesson, media, position, duration}`` (JSON; CSRF token in X-CSRFToken).

    400 with an ``error`` message for a bad payload or media not in the lesson;
    403 when the student may not track this lesson (anonymous or not enrolled).
    """
    if not request.user.is_authenticated:
        return _error("Log in to save your progress.", status=403)
    try:
        data = read_heartbeat(request.body)
    except PlaybackRejected as rejection:
        return _error(str(rejection))
    lesson = LessonPage.objects.live().filter(pk=data["lesson"]).first()
    if lesson is None:
        return _error("There is no such lesson.")
    learner = lesson_learner(request, lesson)
    if not learner.can_view or not learner.enrolled:
        return _error("Enroll in the course to save your progress.", status=403)
    try:
        record, completed = save_playback(
            request.user, lesson, data["media"], data["position"], data["duration"]
        )
    except PlaybackRejected as rejection:
        return _error(str(rejection))
    return JsonResponse(
        {
            "position": record.position,
            "furthest": record.furthest,
            "watched": record.watched,
            "lesson_completed": completed,
        }
    )
