"""Student actions in a lesson: mark it complete, submit a quiz and save the playback position."""

from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses.signals import send_after_commit

from . import signals
from .completion import set_lesson_complete, unmet_requirement
from .learner import lesson_learner
from .models import LessonPage, PlaybackPosition
from .playback import (
    MAX_HEARTBEAT_BYTES,
    PlaybackRejected,
    buffer_report,
    read_form_report,
    read_heartbeat,
    save_playback,
)
from .playback_buffer import read_grant
from .quiz import QuizRejected, find_quiz, parse_answers, quizzes_passed, submit_attempt


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
    course = learner.course_learner.course
    if not learner.can_view or not learner.course_learner.enrolled:
        messages.info(
            request, _("Enroll in “%(title)s” to keep track of your progress.") % {"title": course.title}
        )
        return redirect(course.get_url(request))
    complete = request.POST.get("complete", "1") != "0"
    if complete and not quizzes_passed(request.user, lesson):
        messages.error(request, _("Pass the quiz to complete “%(title)s”.") % {"title": lesson.title})
        return redirect(lesson.get_url(request))
    missing = unmet_requirement(request.user, lesson) if complete else None
    if missing:
        messages.error(request, missing)
        return redirect(lesson.get_url(request))
    was_complete = learner.course_learner.enrollment.completed_at is not None
    progress = set_lesson_complete(request.user, lesson, complete)
    if complete and progress.is_complete and not was_complete:
        messages.success(
            request, _("Congratulations: you have completed “%(title)s”!") % {"title": course.title}
        )
    elif complete:
        messages.success(request, _("“%(title)s” is marked complete.") % {"title": lesson.title})
    else:
        messages.info(request, _("“%(title)s” is marked not complete.") % {"title": lesson.title})
    target = request.POST.get("next")
    if not target or not url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        target = lesson.get_url(request)
    return redirect(target)


def _quiz_refused(request, lesson, quiz, rejection):
    """The lesson page again, with the refusal above the quiz and the student's choices kept (400)."""
    request.quiz_feedback = {
        "quiz_id": quiz.id,
        "error": str(rejection),
        "unanswered": set(rejection.unanswered),
        "chosen": {key: request.POST.getlist(key) for key in request.POST if key.startswith("q-")},
    }
    response = lesson.serve(request)
    response.status_code = 400
    return response


@require_POST
@login_required
def submit_quiz(request, lesson_id, quiz_id):
    """POST a quiz's answers (``q-<question id>`` = option ids); graded and stored on the server.

    Refused with 403 when the student may not read the lesson or is not enrolled, and
    with 400 and the page again (choices kept) for a tampered or incomplete submission
    or when no attempts are left; none of those stores an attempt.
    """
    lesson = _live_lesson_or_404(lesson_id)
    learner = lesson_learner(request, lesson)
    if not learner.can_view or not learner.course_learner.enrolled:
        raise PermissionDenied(_("Enroll in the course to take its quizzes."))
    quiz = find_quiz(lesson, quiz_id)
    if quiz is None:
        raise Http404("This lesson has no such quiz.")
    try:
        answers = parse_answers(quiz, request.POST)
        attempt, progress = submit_attempt(request.user, lesson, quiz, answers)
    except QuizRejected as rejection:
        return _quiz_refused(request, lesson, quiz, rejection)
    if progress is not None and progress.is_complete:
        messages.success(
            request, _("You passed with %(score).0f%% and completed the course!") % {"score": attempt.score}
        )
    elif attempt.passed:
        messages.success(
            request,
            _("You passed with %(score).0f%%. “%(title)s” is complete.")
            % {"score": attempt.score, "title": lesson.title},
        )
    else:
        messages.info(
            request,
            _("You scored %(score).0f%%; %(mark)s%% passes.")
            % {"score": attempt.score, "mark": quiz.pass_mark},
        )
    return redirect(f"{lesson.get_url(request)}#quiz-{quiz.id}")


def _error(message, status=400):
    return JsonResponse({"error": message}, status=status)


def _read_report(request):
    """The report in the request: a form (``navigator.sendBeacon``, CSRF token in the body) or
    JSON (``fetch``, CSRF token in X-CSRFToken). PlaybackRejected if it is not one."""
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        length = request.META.get("CONTENT_LENGTH") or "0"
        if not length.isdigit() or int(length) > MAX_HEARTBEAT_BYTES:
            raise PlaybackRejected(f"The request body is too large (at most {MAX_HEARTBEAT_BYTES} bytes).")
        return read_form_report(request.POST)
    return read_heartbeat(request.body)


def _session_user_id(request):
    """The session's user id without loading the user (no query); None if there is none."""
    user_id = request.session.get(SESSION_KEY)
    return int(user_id) if user_id is not None and str(user_id).isdigit() else None


@require_POST
def playback(request):
    """Save a report ``{lesson, media, position, duration[, event][, token]}``: JSON with the CSRF
    token in X-CSRFToken, or a form with it in ``csrfmiddlewaretoken`` (``navigator.sendBeacon``).

    With the lesson page's grant (``token``) a plain report is kept in Redis, without a query
    (``lessons/playback_buffer.py``); anything else is saved to the database as before.
    400 with an ``error`` message for a bad payload or media not in the lesson;
    403 when the student may not track this lesson (anonymous or not enrolled).
    """
    try:
        data = _read_report(request)
    except PlaybackRejected as rejection:
        if not request.user.is_authenticated:
            return _error(_("Log in to save your progress."), status=403)
        return _error(str(rejection))
    user_id = _session_user_id(request)
    grant = read_grant(data["token"], user_id, data["lesson"])
    if grant is not None:
        try:
            answer = buffer_report(user_id, grant, data)
        except PlaybackRejected as rejection:
            return _error(str(rejection))
        if answer is not None:
            response = JsonResponse(answer)
            # Said here so that no middleware loads the user to decide it (a query).
            response["Cache-Control"] = "private, no-store"
            return response
    if not request.user.is_authenticated:
        return _error(_("Log in to save your progress."), status=403)
    lesson = LessonPage.objects.live().filter(pk=data["lesson"]).first()
    if lesson is None:
        return _error(_("There is no such lesson."))
    learner = lesson_learner(request, lesson)
    if not learner.can_view or not learner.course_learner.enrolled:
        return _error(_("Enroll in the course to save your progress."), status=403)
    try:
        record, completed = save_playback(
            request.user, lesson, data["media"], data["position"], data["duration"]
        )
    except PlaybackRejected as rejection:
        return _error(str(rejection))
    if data["event"]:
        send_after_commit(
            signals.playback_event,
            PlaybackPosition,
            position=record,
            user=request.user,
            lesson=lesson,
            course=lesson.course,
            media_id=data["media"],
            event=data["event"],
            seconds=record.position,
            duration=record.duration,
        )
    return JsonResponse(
        {
            "position": record.position,
            "furthest": record.furthest,
            "watched": record.watched,
            "lesson_completed": completed,
        }
    )
