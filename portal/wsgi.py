"""The WSGI application gunicorn serves (gunicorn.conf.py loads it once in its master)."""

import os
from pathlib import Path

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")

application = get_wsgi_application()


def warm_up():
    """Do now what each process would otherwise do on its first requests.

    gunicorn loads this module in its master before forking the workers (``preload_app``), so
    this runs once and every worker, each recycled one too, starts with it done, sharing the
    memory: the URLconf imported and its reverse lookups built for every language, and the
    project's own templates compiled by Django's cached loader. Without it a new worker's first
    student page took 250-310 ms instead of 4 ms (issue 21: a worker recycled under load, or one
    seeing a page for the first time, showed as a 200 ms p99). A template that does not compile
    stops the process here, at boot. Nothing here opens a database connection: the workers
    must not share the master's."""
    from django.apps import apps
    from django.conf import settings
    from django.template.loader import get_template
    from django.urls import get_resolver
    from django.utils import translation

    resolver = get_resolver()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            resolver.reverse_dict  # noqa: B018 (built per language on first use)
    base = Path(settings.BASE_DIR).resolve()
    for app in apps.get_app_configs():
        folder = Path(app.path).resolve() / "templates"
        # The project's apps only: a virtualenv may sit inside the project folder.
        if folder.is_relative_to(base) and "site-packages" not in folder.parts and folder.is_dir():
            for template in sorted(folder.rglob("*.html")):
                get_template(template.relative_to(folder).as_posix())


warm_up()
