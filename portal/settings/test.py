"""The test suite (`make test`); DATABASE_URL and REDIS_URL point at real servers."""

from pathlib import Path

from .base import *  # noqa: F403
from .base import CELERY_BROKER_URL, CELERY_RESULT_BACKEND, VAR_DIR, env, installed_apps

# A run of the suite owns a database and a set of Redis keys of its own (scripts/test.sh names
# them per run), so it can share PostgreSQL and Redis with a `make run` or another run:
# pytest-django creates and drops this database instead of `test_<DATABASE_URL's name>`...
DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME", default=None)}
# ...and every key it writes (cache, broker queues and bindings, task results) carries this
# prefix, so that clearing the cache or purging the queues deletes its own keys and no others.
TEST_KEY_PREFIX = env("CACHE_KEY_PREFIX", default="ringlet-test")
if "KEY_PREFIX" in CACHES["default"]:
    CACHES["default"]["KEY_PREFIX"] = TEST_KEY_PREFIX
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,
        "global_keyprefix": f"{TEST_KEY_PREFIX}:celery:",
    }
if CELERY_RESULT_BACKEND.startswith(("redis://", "rediss://")):
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"global_keyprefix": f"{TEST_KEY_PREFIX}:celery:"}

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
INSTALLED_APPS = installed_apps(demo=True)
# Beat runs scheduled publishing every 2 seconds in the tests that start it.
PUBLISH_SCHEDULED_EVERY = 2
