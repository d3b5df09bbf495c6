"""Django's authentication middleware, reading a logged-in user's row from the cache.

Every logged-in request asks the database for its user (``django.contrib.auth.get_user``): a
query on each student page, although the row changes only when the user is saved. Here the
row is kept with the user's other answers (``accounts.user_answers``, under a version any save
or deletion of the user replaces), and read in the same round trip as those answers and the
staff rule's, so a student's page asks the database nothing about its user.

The session is verified as Django verifies it: the hash stored at login must match the kept
user's (a changed password changes it), and the user must be active (the backends' own rule).
Anything else (no cached row, a hash that does not match, a session hash made with an old
``SECRET_KEY``, a backend no longer configured) goes through Django's ``get_user`` unchanged,
which reads the database and cycles or flushes the session as it does.
"""

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthenticationMiddleware
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from .user_answers import remembered_user


def get_user(request):
    """``django.contrib.auth.get_user(request)``, with the user's row from the cache when kept."""
    session = request.session
    try:
        user_pk = auth.get_user_model()._meta.pk.to_python(session[SESSION_KEY])
        backend_path = session[BACKEND_SESSION_KEY]
        session_hash = session[HASH_SESSION_KEY]
    except (KeyError, ValueError, TypeError):
        return auth.get_user(request)
    if backend_path not in settings.AUTHENTICATION_BACKENDS or not session_hash:
        return auth.get_user(request)
    loaded = []

    def load():
        loaded.append(True)
        return auth.get_user(request)

    user = remembered_user(user_pk, load)
    if loaded:  # Django's own answer, verified by it
        return user
    if user.is_active and constant_time_compare(session_hash, user.get_session_auth_hash()):
        return user
    return auth.get_user(request)


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """``request.user`` from ``get_user`` above; ``request.auser`` stays Django's."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: get_user(request))
