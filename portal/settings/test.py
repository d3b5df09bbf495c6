"""The test suite (`make test`); DATABASE_URL and REDIS_URL point at real servers."""

from pathlib import Path

from .base import *  # noqa: F403
from .base import VAR_DIR, env

DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Email stays in memory (django.core.mail.outbox), unless a test running worker processes
# hands them a mail server of its own (TEST_EMAIL_URL, e.g. smtp://127.0.0.1:2525).
if env("TEST_EMAIL_URL", default=""):
    vars().update(env.email_url("TEST_EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "test-media")))
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
WAGTAILADMIN_BASE_URL = "http://testserver"
# Serve static files straight from the apps; nothing has been collected.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The demo content is tested too (and its home page is the tests' site root).
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]
# Beat runs scheduled publishing every 2 seconds in the tests that start it.
PUBLISH_SCHEDULED_EVERY = 2
