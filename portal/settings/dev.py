"""Local development: `make run`."""

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
# `manage.py demo_content` (make run); production settings leave the demo app out.
INSTALLED_APPS = installed_apps(demo=True)
