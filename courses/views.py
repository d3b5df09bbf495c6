"""Student views of courses: enroll, unenroll and the dashboard."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import enrollment
from .progress import dashboard_entries


def _course_or_404(course_id):
    course = enrollment.course_by_id(course_id)
    if course is None:
        raise Http404("No such course.")
    return course


@require_POST
def enroll(request, course_id):
    """Enroll the logged-in student; a second submit changes nothing and says so."""
    course = _course_or_404(course_id)
    if not request.user.is_authenticated:
        # Back to the course page after logging in, where the button is (this URL is POST only).
        return redirect_to_login(course.get_url(request), settings.LOGIN_URL)
    try:
        _, created = enrollment.enroll(request.user, course)
    except enrollment.EnrollmentRefused as refusal:
        messages.error(request, f"You cannot enroll in “{course.title}”: {refusal}")
    else:
        if created:
            messages.success(request, f"You are enrolled in “{course.title}”. Enjoy the course!")
        else:
            messages.info(request, f"You are already enrolled in “{course.title}”.")
    return redirect(course.get_url(request))


@require_POST
@login_required
def unenroll(request, course_id):
    course = _course_or_404(course_id)
    try:
        removed = enrollment.unenroll(request.user, course)
    except enrollment.EnrollmentRefused as refusal:
        messages.error(request, str(refusal))
    else:
        if removed:
            messages.success(
                request,
                f"You have left “{course.title}”. Your progress is kept if you enroll again.",
            )
        else:
            messages.info(request, f"You were not enrolled in “{course.title}”.")
    return redirect(course.get_url(request))


@login_required
def dashboard(request):
    """The student's courses with progress, last activity and where to continue."""
    entries = dashboard_entries(request.user)
    return render(
        request,
        "courses/dashboard.html",
        {
            "in_progress": [entry for entry in entries if not entry.enrollment.completed_at],
            "completed": [entry for entry in entries if entry.enrollment.completed_at],
        },
    )
