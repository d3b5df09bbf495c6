"""The language a user chose, kept with their account (README, "Languages").

The choice is stored in ``LanguagePreference`` and copied into the session at login and
whenever it changes, so the views without a page language (dashboard, account pages) apply it
from the session they load anyway, with no query per request. Another device picks up a
change at its next login. A page's language stays its URL's: the page cache relies on it.
"""

from django.conf import settings

from .models import LanguagePreference

SESSION_KEY = "accounts_language"


def is_available(code):
    return code in {language for language, _name in settings.LANGUAGES}


def language_preference(user):
    """The language ``user`` chose, or ``""`` (none chosen, or no longer offered by the site)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    # Asked of the table, not of ``user.language_preference``: Django caches a missing reverse
    # one-to-one on the user object, which would hide a choice made since.
    code = LanguagePreference.objects.filter(user=user).values_list("language", flat=True).first() or ""
    return code if is_available(code) else ""


def set_language_preference(user, code, request=None):
    """Record ``code`` as ``user``'s language (refused if the site does not offer it) and, given
    the request, apply it to this session at once. Returns whether it was recorded."""
    if not is_available(code) or user is None or not user.is_authenticated:
        return False
    LanguagePreference.objects.update_or_create(user=user, defaults={"language": code})
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = code
    return True


def remember_at_login(request, user):
    """Put ``user``'s language into the new session (the ``user_logged_in`` handler)."""
    if request is None or not hasattr(request, "session"):
        return
    code = language_preference(user)
    if code:
        request.session[SESSION_KEY] = code


def session_language(request):
    """The logged-in user's language, from their session (``""`` when none or not offered).

    A request without a session cookie has none, and its session is not even opened. Reading
    it does not count as using the session: that would add ``Vary: Cookie`` to every answer
    (the API's, the media files'), while a logged-in user's answers are private already and the
    language cookie, which Django reads the same way, adds nothing either.
    """
    session = getattr(request, "session", None)
    if session is None or settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return ""
    accessed = session.accessed
    code = session.get(SESSION_KEY, "")
    session.accessed = accessed
    return code if code and is_available(code) else ""
