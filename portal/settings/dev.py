"""Local development: `make run`."""

import warnings

from .base import *  # noqa: F403
from .base import env, installed_apps

DEBUG = env.bool("DJANGO_DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "0.0.0.0"])  # noqa: S104
# Plain storage: no collectstatic needed while developing.
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
# Serve static files straight from the apps; nothing has been collected.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Developers (and students trying the demo) may log in before following the link; the
# verification email is still sent, to the console unless EMAIL_URL says otherwise.
ACCOUNT_EMAIL_VERIFICATION = "optional"
# The address `make run` serves on (the Procfile's runserver takes WEB_PORT too), so that
# links in emails, certificates and the logins demo_content prints point at this server.
WEB_PORT = env.int("WEB_PORT", default=8000)
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default=f"http://127.0.0.1:{WEB_PORT}")
# What tasks print (the console email backend's messages) is information, not a warning.
CELERY_WORKER_REDIRECT_STDOUTS_LEVEL = "INFO"
# `make run` on these machines runs as root (it installs FFmpeg with apt-get), and Celery warns
# about a root worker; it refuses one outright only with pickle, which Ringlet never accepts
# (JSON only). The image runs as an unprivileged user, so production keeps the warning.
warnings.filterwarnings("ignore", message="You're running the worker with superuser privileges")
# `make run` shows the demo in English and French (README, "Languages") unless LANGUAGES says
# otherwise; the other settings keep English alone by default.
if "LANGUAGES" not in env.ENVIRON:
    LANGUAGES = [("en", "English"), ("fr", "French")]
    WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
# `manage.py demo_content` (make run); production settings leave the demo app out.
INSTALLED_APPS = installed_apps(demo=True)
