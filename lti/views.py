"""The LTI endpoints. Only the two a platform posts to cross-site (login initiation and the launch)
are CSRF-exempt, by design: the platform's form carries no Ringlet token, and each is guarded
instead by what it receives (a registered issuer; a signed state, its cookie and a signed
id_token). Everything else (the picker's form, roster sync) takes Django's CSRF check.
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from courses.models import CoursePage, Enrollment
from courses.services import course_progress, live_courses, published_lessons
from lessons.models import LessonPage
from lessons.services import quizzes_of

from . import deep_linking, keys, launches, registration
from .embedding import SESSION_KEY, third_party_cookie
from .grades import course_resource, quiz_resource
from .launch import CookiesBlocked, Refused, begin_login, state_cookie_name, validate_launch
from .models import Context, GradePost, Membership, Platform, origin_of
from .signal_handlers import enqueue
from .tasks import sync_roster

logger = logging.getLogger(__name__)
PICKER_KEY = "lti_deep_linking"


def tool_urls(request):
    """The absolute URLs a platform's administrator enters (login, launch/redirect, JWKS)."""
    return {
        "login": request.build_absolute_uri(reverse("lti:login")),
        "launch": request.build_absolute_uri(reverse("lti:launch")),
        "jwks": request.build_absolute_uri(reverse("lti:jwks")),
    }


def _registered_origins():
    origins = set()
    for platform in Platform.objects.filter(is_active=True):
        origins.update(platform.allowed_frame_origins())
    return sorted(origins)


def refused(request, refusal):
    """The page for a refused login or launch (status from the refusal), and its log line."""
    platform = refusal.platform
    logger.warning(
        "LTI refused: %s [platform %s, from %s]",
        refusal.reason,
        platform.pk if platform else "unknown",
        request.META.get("REMOTE_ADDR"),
    )
    # The page shows inside the platform's frame: registered platforms may frame it (it has no form).
    request.lti_frame_origins = platform.allowed_frame_origins() if platform else _registered_origins()
    return render(request, "lti/refused.html", {"refusal": refusal}, status=refusal.status)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def login(request):
    """OIDC third-party login initiation (GET or POST from the platform)."""
    params = request.POST if request.method == "POST" else request.GET
    try:
        platform, auth_url, state = begin_login(params, tool_urls(request)["launch"], request.get_host())
    except Refused as refusal:
        return refused(request, refusal)
    response = HttpResponseRedirect(auth_url)
    name = state_cookie_name(state)
    response.set_cookie(
        name, "1", max_age=settings.LTI_STATE_SECONDS, path="/lti/", httponly=True, secure=True
    )
    third_party_cookie(response.cookies[name])
    request.lti_frame_origins = platform.allowed_frame_origins()
    return response


def _frame_origins(launch):
    origins = set(launch.platform.allowed_frame_origins())
    origin = origin_of(launch.origin)
    if origin and origin == launch.origin.rstrip("/"):
        # The page that posted a genuine id_token is the platform's own.
        origins.add(origin)
    return sorted(origins)


@csrf_exempt
@never_cache
@require_POST
def launch(request):
    """The launch (redirect URI): validates the id_token, signs the user in, lands them."""
    try:
        valid = validate_launch(
            request.POST,
            request.COOKIES,
            tool_urls(request)["login"],
            origin=request.headers.get("Origin", ""),
        )
    except CookiesBlocked as blocked:
        logger.info(
            "LTI launch without its state cookie: new-window fallback [platform %s]", blocked.platform.pk
        )
        request.lti_frame_origins = blocked.platform.allowed_frame_origins()
        return render(
            request, "lti/new_window.html", {"login_url": blocked.login_url, "platform": blocked.platform}
        )
    except Refused as refusal:
        return refused(request, refusal)
    if valid.is_deep_linking and not valid.is_instructor:
        return refused(
            request,
            Refused(
                gettext_lazy("Only instructors choose content"),
                gettext_lazy("Adding Ringlet content to a course is for its instructors."),
                "deep linking request from a non-instructor",
                platform=valid.platform,
            ),
        )
    try:
        arrival = launches.arrive(valid, request)
    except Refused as refusal:
        return refused(request, refusal)
    auth_login(request, arrival.user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[SESSION_KEY] = {
        "platform": valid.platform.pk,
        "context": arrival.context.pk,
        "origins": _frame_origins(valid),
        "return_url": valid.return_url,
    }
    if valid.is_deep_linking:
        dl = valid.deep_linking_settings
        request.session[PICKER_KEY] = {
            "platform": valid.platform.pk,
            "deployment_id": valid.deployment.deployment_id,
            "return_url": dl["deep_link_return_url"],
            "accept_multiple": dl.get("accept_multiple", True) is not False,
            "settings": {key: dl[key] for key in ("data",) if key in dl},
        }
        target = reverse("lti:deep_linking")
    elif valid.is_instructor:
        target = reverse("lti:context", args=[arrival.context.pk])
        if arrival.page is not None:
            target += f"?page={arrival.page.pk}"
    elif arrival.page is not None:
        target = arrival.page.get_url(request)
    else:
        return refused(
            request,
            Refused(
                gettext_lazy("This link is not set up"),
                gettext_lazy(
                    "The link in your course points at no Ringlet course or lesson. Tell your instructor."
                ),
                f"resource link of context {arrival.context.pk} names no live page",
                status=404,
                platform=valid.platform,
            ),
        )
    response = HttpResponseRedirect(target)
    name = state_cookie_name(request.POST["state"])
    response.delete_cookie(name, path="/lti/", samesite="None")
    # A partitioned cookie is only overwritten by one set with the same attributes.
    third_party_cookie(response.cookies[name])
    return response


@require_GET
@cache_control(max_age=300, public=True)
def jwks(request):
    """The tool's public keys (current and recently retired), for platforms to verify its JWTs."""
    return JsonResponse(keys.jwks())


@require_GET
def canvas_configuration(request):
    """The JSON configuration Canvas reads for a developer key ("Enter URL")."""
    urls = tool_urls(request)
    placements = [
        {"placement": placement, "message_type": "LtiDeepLinkingRequest", "target_link_uri": urls["launch"]}
        for placement in ("link_selection", "assignment_selection")
    ]
    return JsonResponse(
        {
            "title": settings.WAGTAIL_SITE_NAME,
            "description": "Ringlet courses and lessons, with grades and rosters.",
            "oidc_initiation_url": urls["login"],
            "target_link_uri": urls["launch"],
            "public_jwk_url": urls["jwks"],
            "scopes": registration.tool_configuration(urls, "")["scope"].split(),
            "extensions": [
                {
                    "platform": "canvas.instructure.com",
                    "privacy_level": "public",
                    "settings": {"placements": placements},
                }
            ],
        }
    )


def _picker_choices():
    courses = []
    for course in live_courses():
        ids = [lesson.pk for lesson in published_lessons(course)]
        by_id = LessonPage.objects.in_bulk(ids)
        lessons = [(by_id[pk], bool(quizzes_of(by_id[pk]))) for pk in ids if pk in by_id]
        courses.append((course, lessons))
    return courses


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def pick(request):
    """The deep linking picker: an instructor chooses courses or lessons to add to the platform."""
    picking = request.session.get(PICKER_KEY)
    if not picking:
        return refused(
            request,
            Refused(
                gettext_lazy("Nothing to choose for"),
                gettext_lazy(
                    "Open the content picker from your learning platform (add an external tool link)."
                ),
                "picker opened without a deep linking launch",
                status=400,
            ),
        )
    choices = _picker_choices()
    error = ""
    if request.method == "POST":
        chosen = request.POST.getlist("item")
        graded = set(request.POST.getlist("graded"))
        if not chosen:
            error = "Choose at least one course or lesson."
        elif len(chosen) > 1 and not picking["accept_multiple"]:
            error = "The platform takes one item at a time: choose one."
        else:
            items = _content_items(request, chosen, graded)
            if items is None:
                error = "That choice is not available any more. Choose again."
            else:
                platform = get_object_or_404(Platform, pk=picking["platform"])
                token = deep_linking.response_token(
                    platform, picking["deployment_id"], picking["settings"], items
                )
                del request.session[PICKER_KEY]
                response = render(
                    request,
                    "lti/deep_linking_return.html",
                    {"return_url": picking["return_url"], "jwt": token, "items": items},
                )
                # The form posts to the platform: the page's CSP must allow that one origin.
                response._csp_update = {"form-action": [origin_of(picking["return_url"])]}
                return response
    return render(
        request,
        "lti/deep_linking.html",
        {"choices": choices, "accept_multiple": picking["accept_multiple"], "error": error},
        status=400 if error else 200,
    )


def _content_items(request, chosen, graded):
    items = []
    for value in chosen:
        kind, _, pk = value.partition(":")
        if not pk.isdigit():
            return None
        if kind == "course":
            page = CoursePage.objects.live().filter(pk=int(pk)).first()
            line_item = course_resource(page) if page is not None and value in graded else None
        elif kind == "lesson":
            page = LessonPage.objects.live().filter(pk=int(pk)).first()
            quizzes = quizzes_of(page) if page is not None else []
            line_item = (
                quiz_resource(page, quizzes[0].id, quizzes[0].title) if quizzes and value in graded else None
            )
        else:
            return None
        if page is None:
            return None
        items.append(deep_linking.content_item(page, page.get_full_url(request), line_item))
    return items


def _instructor_membership(request, context_id):
    context = get_object_or_404(Context.objects.select_related("deployment__platform"), pk=context_id)
    membership = Membership.objects.filter(
        context=context, user=request.user, is_instructor=True, status=Membership.Status.ACTIVE
    ).first()
    return context, membership


@login_required
@never_cache
@require_GET
def context(request, context_id):
    """The instructor's view of a platform course: its Ringlet courses, roster and grades."""
    context, membership = _instructor_membership(request, context_id)
    if membership is None:
        return refused(
            request,
            Refused(
                gettext_lazy("For the course's instructors"),
                gettext_lazy("This page is for the instructors of the platform course."),
                f"user {request.user.pk} is not an instructor of context {context_id}",
                platform=context.platform,
            ),
        )
    links = list(context.resource_links.filter(course__isnull=False).select_related("course", "page"))
    courses = list({link.course.pk: link.course for link in links}.values())
    target = None
    if request.GET.get("page", "").isdigit():
        target = next((link.page for link in links if link.page_id == int(request.GET["page"])), None)
    members = list(
        context.memberships.select_related("user").order_by("status", "user__last_name", "user__first_name")
    )
    rows = []
    for member in members:
        cells = []
        for course in courses:
            enrollment = Enrollment.objects.filter(user=member.user, course=course).first()
            cells.append(course_progress(member.user, course, enrollment=enrollment) if enrollment else None)
        rows.append((member, cells))
    posts = GradePost.objects.filter(context=context).select_related("user").order_by("-created_at")[:20]
    return render(
        request,
        "lti/context.html",
        {"context": context, "courses": courses, "target": target, "rows": rows, "posts": posts},
    )


@login_required
@require_POST
def sync(request, context_id):
    """Start a roster sync (NRPS) for a platform course; instructors only (CSRF-checked)."""
    context, membership = _instructor_membership(request, context_id)
    if membership is None:
        return refused(
            request,
            Refused(
                gettext_lazy("For the course's instructors"),
                gettext_lazy("Only the platform course's instructors can sync its roster."),
                f"roster sync by non-instructor {request.user.pk} of context {context_id}",
                platform=context.platform,
            ),
        )
    if not context.memberships_url:
        messages.error(request, gettext("The platform offers no roster service for this course."))
    else:
        enqueue(sync_roster, context.pk)
        messages.success(
            request, gettext("The roster is being synced from the platform; reload in a moment.")
        )
    return redirect("lti:context", context_id=context.pk)


@never_cache
@require_GET
def register(request, token):
    """Dynamic Registration: the platform opens it with ``openid_configuration``, ``registration_token``."""
    try:
        platform = registration.register(
            token,
            request.GET.get("openid_configuration", ""),
            request.GET.get("registration_token", ""),
            tool_urls(request),
            settings.WAGTAIL_SITE_NAME,
        )
    except Refused as refusal:
        return refused(request, refusal)
    request.lti_frame_origins = platform.allowed_frame_origins()
    return render(request, "lti/registered.html", {"platform": platform})
