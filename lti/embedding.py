"""Ringlet inside a platform's iframe: cookies that survive being third-party, and who may frame it.

After an LTI launch the session remembers the platform (``SESSION_KEY``). For such a session,
``EmbeddingMiddleware`` (placed just outside Django's session middleware) makes the session, CSRF
and messages cookies ``SameSite=None; Secure; Partitioned``: a browser sends them inside the
platform's iframe, and one that blocks third-party cookies but supports partitioned ones (CHIPS:
Chrome, Edge, Firefox) keeps them in a jar of the platform's site. It also lets the launching
platform's origins frame the response: ``request.csp_frame_ancestors`` (read by ``portal/csp.py``)
and no ``X-Frame-Options``. Browsers that keep no cookie at all in the frame get the
new-window fallback at launch (``launch.CookiesBlocked``).
"""

from django.conf import settings

SESSION_KEY = "lti_embed"
EMBED_COOKIES = ("messages",)


def third_party_cookie(morsel):
    """Give a cookie the attributes it needs inside a cross-site iframe."""
    morsel["secure"] = True
    # http.cookies (Python < 3.14) knows no Partitioned attribute; SameSite's value carries it.
    morsel["samesite"] = "None; Partitioned"
    return morsel


def frame_origins_of(request):
    """Origins that may frame this response (a launch's platform), or None for the site's default."""
    origins = getattr(request, "lti_frame_origins", None)
    if origins is not None:
        return origins
    session = getattr(request, "session", None)
    # A request without a session cookie has no session to read, unless this very request made
    # one (the launch): reading it then costs nothing, and others never load a session for this.
    if session is None or (settings.SESSION_COOKIE_NAME not in request.COOKIES and not session.modified):
        return None
    embed = session.get(SESSION_KEY)
    return embed.get("origins") if embed else None


class EmbeddingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        origins = frame_origins_of(request)
        if origins is None:
            return response
        request.csp_frame_ancestors = list(origins)
        if "X-Frame-Options" in response.headers:
            del response.headers["X-Frame-Options"]
        embedded = getattr(request, "session", None) is not None and SESSION_KEY in request.session
        if embedded:
            for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, *EMBED_COOKIES):
                if name in response.cookies:
                    third_party_cookie(response.cookies[name])
        return response
