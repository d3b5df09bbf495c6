"""Adds the request's id and the authenticated user's id to every log record of a request.

Each request gets an id (the caller's ``X-Request-ID`` when it is a plain token, as the edge tier
or a load balancer sends, else a new one), returned in the response's ``X-Request-ID`` and put on
every log line through a context variable, as is the user's id, so that JSON logs carry both.

Why not django-guid (3.6, used until issue 21): what Ringlet used of it is the twenty lines of
``RequestIdMiddleware`` below, and its per-request work (Django's ``HttpHeaders`` built from the
whole environ, the full path quoted twice to check its ignore list, its settings read through
properties) was 15% of the CPU of an anonymous page answered from the page cache. Unlike it
with ``VALIDATE_GUID`` off, a header that is not a plain token is replaced, never logged as is.
"""

import logging
import re
import uuid
from contextvars import ContextVar

from django.contrib.auth import SESSION_KEY

current_user_id: ContextVar[int | None] = ContextVar("current_user_id", default=None)
current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)

REQUEST_ID_HEADER = "X-Request-ID"
# A caller's id is kept only when it is a plain token (nginx's $request_id, a UUID, "req-4242").
_PLAIN_TOKEN = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# Probes get no id: they are neither logged nor traced.
_PROBES = ("/health/", "/ready/")


class RequestIdMiddleware:
    """The request's id: in ``request.request_id``, on its log lines and in the response header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info in _PROBES:
            return self.get_response(request)
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        request.request_id = given if _PLAIN_TOKEN.fullmatch(given) else uuid.uuid4().hex
        token = current_request_id.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response[REQUEST_ID_HEADER] = request.request_id
        response["Access-Control-Expose-Headers"] = REQUEST_ID_HEADER
        return response


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


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = current_request_id.get()
        return True


class UserIdFilter(logging.Filter):
    def filter(self, record):
        record.user_id = current_user_id.get()
        return True
