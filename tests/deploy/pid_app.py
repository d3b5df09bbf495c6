"""A WSGI app answering with its process id: shows when gunicorn recycles a worker."""

import os


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [str(os.getpid()).encode()]


def frozen_app(environ, start_response):
    """Answers how many objects the worker's garbage collector leaves alone (``gc.freeze``)."""
    import gc

    start_response("200 OK", [("Content-Type", "text/plain")])
    return [str(gc.get_freeze_count()).encode()]


def request_id_app(environ, start_response):
    """Answers 201 with the request's X-Request-ID header sent back, as Ringlet's pages do."""
    start_response("201 Created", [("Content-Type", "text/plain"), ("X-Request-ID", "req-4242")])
    return [b"made"]


def hold_app(environ, start_response):
    """Answers with its process id after holding its thread for ``?hold=`` seconds (default 0)."""
    import time
    from urllib.parse import parse_qs

    time.sleep(float(parse_qs(environ.get("QUERY_STRING", "")).get("hold", ["0"])[0]))
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [str(os.getpid()).encode()]
