"""Responses made for a logged-in user are never stored by shared caches (CDNs, proxies)."""

from django.utils.cache import patch_cache_control


class PrivateForLoggedInMiddleware:
    """Mark ``Cache-Control: private`` on every response built for a logged-in user, unless the
    view said otherwise (public Wagtail images set their own ``Cache-Control``).

    Such a response may hold their name, their courses or a gated lesson; a proxy that stored it
    would hand it to the next visitor. Anonymous responses are left alone, so public pages stay
    cacheable. Goes after AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        # An untouched session means the response cannot depend on who is logged in.
        if session is None or not session.accessed or user is None or response.has_header("Cache-Control"):
            return response
        if user.is_authenticated:
            patch_cache_control(response, private=True)
        return response
