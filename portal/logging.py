"""Adds the authenticated user's id to every log record of a request.

django-guid supplies the request id; this supplies the user id the same way,
through a context variable, so that JSON logs carry both.
"""

import logging
from contextvars import ContextVar

from django.contrib.auth import SESSION_KEY

current_user_id: ContextVar[int | None] = ContextVar("current_user_id", default=None)


class RequestUserMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_user_id.set(session_user_id(request))
        try:
            return self.get_response(request)
        finally:
            current_user_id.reset(token)


def session_user_id(request):
    """The logged-in user's id as the session records it, without loading the user: requests
    that never need the user (signed media segments, probes) stay free of SQL queries."""
    session = getattr(request, "session", None)
    user_id = session.get(SESSION_KEY) if session is not None else None
    return int(user_id) if user_id is not None and str(user_id).isdigit() else None


class UserIdFilter(logging.Filter):
    def filter(self, record):
        record.user_id = current_user_id.get()
        return True
