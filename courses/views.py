"""Student views of courses: enroll, unenroll, the dashboard, and certificates (verify, download)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import enrollment
from .models import Certificate
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
    certificates = {c.course_id: c for c in Certificate.objects.filter(user=request.user)}
    for entry in entries:
        entry.certificate = certificates.get(entry.course.pk)
    return render(
        request,
        "courses/dashboard.html",
        {
            "in_progress": [entry for entry in entries if not entry.enrollment.completed_at],
            "completed": [entry for entry in entries if entry.enrollment.completed_at],
        },
    )


def certificate_verify(request, code):
    """Public: whether ``code`` is a genuine certificate (name, course, date), or that it was revoked."""
    certificate = Certificate.objects.filter(code=code.strip().upper()).first()
    if certificate is None:
        return render(request, "courses/certificate_unknown.html", {"code": code}, status=404)
    return render(request, "courses/certificate_verify.html", {"certificate": certificate})


@login_required
def certificate_download(request, code):
    """The certificate's PDF, for its owner only; anyone else gets a 404 (nothing tells them it exists)."""
    certificate = Certificate.objects.filter(code=code, user=request.user).first()
    if certificate is None or not certificate.file:
        raise Http404("No such certificate of yours.")
    return FileResponse(
        certificate.file.open("rb"),
        as_attachment=True,
        filename=f"certificate-{certificate.code}.pdf",
        content_type="application/pdf",
    )
