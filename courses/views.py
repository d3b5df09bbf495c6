"""Student views of courses: enroll (directly, or after signing up or logging in), unenroll,
the dashboard, and certificates (verify, download)."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pagetree.services import find_site, site_root_paths

from . import certificates, enrollment
from .learner import course_learner
from .models import Certificate
from .progress import dashboard_entries

# Session key of a visitor's wish to enroll, set by a POST from a locked lesson's page and
# honoured once they are logged in. A session value (not a URL) so that no link from
# another site can enroll anyone.
ENROLL_INTENT = "ringlet_enroll_intent"


def _course_or_404(course_id):
    course = enrollment.course_by_id(course_id)
    if course is None:
        raise Http404("No such course.")
    return course


def _next_url(request, course):
    """The ``next`` URL of the request if it is one of ours, else the course page."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return course.get_url(request)


def _join_url(course, next_url):
    return f"{reverse('courses:join', args=[course.pk])}?{urlencode({'next': next_url})}"


@require_POST
def enroll(request, course_id):
    """Enroll the logged-in student; a second submit changes nothing and says so."""
    course = _course_or_404(course_id)
    if not request.user.is_authenticated:
        # Back to the course page after logging in, where the button is (this URL is POST only).
        return redirect_to_login(course.get_url(request), settings.LOGIN_URL)
    if _enroll_and_say_so(request, course):
        return redirect(_next_url(request, course))
    return redirect(course.get_url(request))


def _enroll_and_say_so(request, course):
    """Enroll the request's user in ``course`` with a message saying what happened; True if enrolled."""
    try:
        _enrollment, created = enrollment.enroll(request.user, course)
    except enrollment.EnrollmentRefused as refusal:
        messages.error(
            request,
            _("You cannot enroll in “%(title)s”: %(refusal)s") % {"title": course.title, "refusal": refusal},
        )
        return False
    if created:
        messages.success(
            request, _("You are enrolled in “%(title)s”. Enjoy the course!") % {"title": course.title}
        )
    else:
        messages.info(request, _("You are already enrolled in “%(title)s”.") % {"title": course.title})
    return True


@require_POST
def enroll_intent(request, course_id):
    """A visitor asks to enroll from a locked lesson: remember it, then send them to sign up
    (``to=signup``) or log in, and from there to ``join``, which enrolls them."""
    course = _course_or_404(course_id)
    next_url = _next_url(request, course)
    request.session[ENROLL_INTENT] = course.pk
    join = _join_url(course, next_url)
    if request.user.is_authenticated:
        return redirect(join)
    target = "account_signup" if request.POST.get("to") == "signup" else "account_login"
    return redirect(f"{reverse(target)}?{urlencode({'next': join})}")


@login_required
def join(request, course_id):
    """Where a visitor lands after signing up or logging in to enroll: enrolled at once and sent
    back to ``next`` (the lesson) when they asked for it and the course has no capacity or
    window; otherwise a confirmation page with the places left, the dates, or why not."""
    course = _course_or_404(course_id)
    next_url = _next_url(request, course)
    learner = course_learner(request, course)
    if learner.enrolled:
        return redirect(next_url)
    asked = request.session.get(ENROLL_INTENT) == course.pk
    if asked and not enrollment.needs_confirmation(course):
        request.session.pop(ENROLL_INTENT, None)
        if _enroll_and_say_so(request, course):
            return redirect(next_url)
    return render(request, "courses/join.html", {"course": course, "learning": learner, "next_url": next_url})


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
                _("You have left “%(title)s”. Your progress is kept if you enroll again.")
                % {"title": course.title},
            )
        else:
            messages.info(request, _("You were not enrolled in “%(title)s”.") % {"title": course.title})
    return redirect(course.get_url(request))


@login_required
def dashboard(request):
    """The student's courses with progress, last activity and where to continue."""
    find_site(request)  # from the cache: its {% pageurl %} links would look it up (a query)
    site_root_paths(request)  # and their root paths, from the process (a Redis read otherwise)
    entries = dashboard_entries(request.user)
    # Certificates show under completed courses only: no query while none is completed.
    certificates = {}
    if any(entry.enrollment.completed_at for entry in entries):
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
    # Its owner also gets what to do with it: the PDF, a link to share, "Add to LinkedIn".
    owner = request.user.is_authenticated and request.user.pk == certificate.user_id
    context = {
        "certificate": certificate,
        "owner": owner,
        "verification_url": certificates.verification_url(certificate),
        "linkedin_url": certificates.linkedin_url(certificate) if owner and not certificate.revoked else None,
    }
    return render(request, "courses/certificate_verify.html", context)


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
