"""Playing a package: the launch (the lesson's gate), then the signed session's player, files and runtime.

``launch`` is the only view that asks who the reader is: the lesson's own gate
(``lessons.services.lesson_learner``), exactly as the lesson page and its media do. A reader
the gate lets in is redirected to a signed session (``signing``); everything under it (the
player page, every file of the package, the runtime endpoints) is served on the token
alone, so nothing of a package is ever served to anyone the gate did not let in, and an
outsider who guesses a path gets a 403.

Package pages need inline script (authoring tools write it), so the player and the
package's HTML files carry a Content-Security-Policy of their own (``package_directives``);
the site's pages keep theirs. The lesson page frames the player in a sandboxed iframe.
"""

import mimetypes
import posixpath

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lessons.services import lesson_learner
from media_library.storage import local_path

from . import runtime, services, signing
from .models import Attempt, ContentPackage

# Types the browser fetches from the store directly when it is remote (S3, Azure Blob):
# large media whose origin does not matter to the package's scripts.
REDIRECTED = ("image/", "audio/", "video/", "font/")
PRIVATE_CACHE = "private, max-age=300"


def package_directives():
    """The policy of a package's pages: inline script and styles allowed, nothing from elsewhere.

    Framed by the site's lesson pages (``frame-ancestors``), and framing only its own files.
    """
    origins = list(settings.STORAGE_ORIGINS)
    ancestors = ["'self'"]
    if settings.PACKAGES_ORIGIN:
        ancestors.append(settings.WAGTAILADMIN_BASE_URL.rstrip("/"))
    return {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'unsafe-inline'", "'unsafe-eval'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *origins],
        "media-src": ["'self'", "data:", "blob:", *origins],
        "font-src": ["'self'", "data:", *origins],
        "connect-src": ["'self'", *origins],
        "worker-src": ["'self'", "blob:"],
        "frame-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ancestors,
    }


def _package_policy(response):
    response._csp_config = package_directives()
    return response


def _session_or_403(token):
    session = signing.open_token(token)
    if session is None:
        raise PermissionDenied("This activity's link has expired or is not valid: reload the lesson.")
    return session


def _refused(request, message, status=403):
    response = render(request, "packages/refused.html", {"message": message}, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@require_GET
def launch(request, lesson_id, block_id):
    """The lesson's gate for one package block; a reader it lets in goes on to a signed session."""
    found = services.package_block(lesson_id, block_id, request.user)
    if found is None:
        raise Http404("This lesson has no such activity.")
    lesson, package = found
    learner = lesson_learner(request, lesson)
    if not learner.can_view:
        return _refused(request, f"Only readers of “{lesson.title}” may open this activity.")
    if package is None or not package.is_ready:
        return _refused(request, "This activity is not ready yet.", status=404)
    attempt = None
    if request.user.is_authenticated and learner.course_learner.enrolled:
        attempt = runtime.current_attempt(request.user, package, lesson, block_id)
    token = signing.make_token(package.pk, package.version, attempt.pk if attempt else 0)
    return HttpResponseRedirect(signing.session_url(token))


def _session_package(session):
    package = ContentPackage.objects.filter(pk=session.package_id).first()
    if package is None or package.version != session.version:
        raise Http404("This activity has been updated: reload the lesson.")
    return package


def _session_attempt(session):
    if not session.attempt_id:
        return None
    attempt = Attempt.objects.select_related("user", "package").filter(pk=session.attempt_id).first()
    if attempt is None or attempt.package_id != session.package_id:
        raise PermissionDenied("This activity's link is not valid: reload the lesson.")
    return attempt


@xframe_options_exempt
@require_GET
def player(request, token):
    """The page that hosts the package: the SCORM API (scorm-again) around the SCO, or the H5P player."""
    session = _session_or_403(token)
    package = _session_package(session)
    attempt = _session_attempt(session)
    user = attempt.user if attempt else None
    files = signing.session_url(token, "file", path="-")[:-1]
    config = {
        "kind": package.kind,
        "title": package.title,
        "tracked": attempt is not None,
        "files": files,
    }
    if package.is_scorm:
        config.update(
            launch=files + package.launch_path,
            commit=signing.session_url(token, "commit") if attempt else "",
            cmi=runtime.launch_cmi(package, attempt, user),
        )
    else:
        state = (attempt.cmi or {}).get("h5p_state") if attempt else None
        config.update(
            frameJs=static("vendor/h5p-standalone/frame.bundle.js"),
            frameCss=static("vendor/h5p-standalone/styles/h5p.css"),
            state=state or "",
            stateUrl=signing.session_url(token, "h5p_state") if attempt else "",
            statements=signing.session_url(token, "h5p_statements") if attempt else "",
            # H5P names its activity after the page's URL unless told: never the session's (signed) one.
            activity=services.activity_iri(attempt.lesson, attempt.block_id) if attempt else "",
        )
    response = render(request, "packages/player.html", {"package": package, "config": config})
    response["Cache-Control"] = "private, no-store"
    return _package_policy(response)


@xframe_options_exempt
@require_GET
def package_file(request, token, path):
    """A file of the session's package version: no database query, the token is the whole check."""
    session = _session_or_403(token)
    clean = posixpath.normpath(path)
    if clean.startswith(("/", "..")) or clean in (".", ""):
        raise Http404("No such file")
    name = posixpath.join(ContentPackage(pk=session.package_id).version_prefix(session.version), clean)
    storage = default_storage
    on_disk = local_path(storage, name)
    content_type = mimetypes.guess_type(clean)[0] or "application/octet-stream"
    if on_disk is None and content_type.startswith(REDIRECTED):
        response = HttpResponseRedirect(storage.url(name))
    else:
        if not storage.exists(name):
            raise Http404("No such file")
        if content_type.startswith("text/") or content_type in ("application/javascript", "application/json"):
            content_type += "; charset=utf-8"
        response = FileResponse(storage.open(name, "rb"), content_type=content_type)
    response["Cache-Control"] = PRIVATE_CACHE
    return _package_policy(response) if content_type.startswith("text/html") else response


def _error(message, status=400):
    return JsonResponse({"result": False, "errorCode": 101, "error": message}, status=status)


@csrf_exempt  # authorised by the signed token in the URL, not by a cookie
@require_POST
def commit(request, token):
    """A SCORM commit from scorm-again: the whole data model (JSON), stored on the attempt."""
    session = _session_or_403(token)
    attempt = _session_attempt(session)
    if attempt is None:
        return _error("Results are not kept for this reader.", status=403)
    try:
        cmi, terminate = runtime.read_commit(request.body)
        attempt = runtime.apply_commit(attempt, cmi, terminate)
    except runtime.RuntimeRejected as rejection:
        return _error(str(rejection))
    services.record_outcome(attempt)
    return JsonResponse({"result": True, "errorCode": 0})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def h5p_state(request, token, **placeholders):
    """H5P's saved state (its contentUserData endpoint): GET to read, POST ``data`` to save."""
    session = _session_or_403(token)
    attempt = _session_attempt(session)
    if attempt is None:
        return JsonResponse({"success": False, "message": "Not tracked."}, status=403)
    if request.method == "GET":
        return JsonResponse({"success": True, "data": (attempt.cmi or {}).get("h5p_state") or False})
    try:
        runtime.save_state(attempt, request.POST.get("data", ""))
    except runtime.RuntimeRejected as rejection:
        return JsonResponse({"success": False, "message": str(rejection)}, status=400)
    return JsonResponse({"success": True})


@csrf_exempt
@require_POST
def h5p_statements(request, token):
    """An xAPI statement H5P emitted (with the content's state): results read, the statement passed on."""
    session = _session_or_403(token)
    attempt = _session_attempt(session)
    if attempt is None:
        return JsonResponse({"error": "Results are not kept for this reader."}, status=403)
    try:
        statement, state = runtime.read_statement(request.body)
        attempt = runtime.apply_statement(attempt, statement, state)
    except runtime.RuntimeRejected as rejection:
        return JsonResponse({"error": str(rejection)}, status=400)
    services.record_outcome(attempt)
    services.statement_received(attempt, statement)
    return HttpResponse(status=204)
