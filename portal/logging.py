"""Adds the authenticated user's id to every log record of a request.

django-guid supplies the request id; this supplies the user id the same way,
through a context variable, so that JSON logs carry both.
"""

import logging
from contextvars import ContextVar

current_user_id: ContextVar[int | None] = ContextVar("current_user_id", default=None)


class RequestUserMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        token = current_user_id.set(user.pk if user is not None and user.is_authenticated else None)
        try:
            return self.get_response(request)
        finally:
            current_user_id.reset(token)


class UserIdFilter(logging.Filter):
    def filter(self, record):
        record.user_id = current_user_id.get()
        return True
