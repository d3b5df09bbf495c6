"""Settings shared by every environment.

Every value an operator may change is read from the environment through the one
``env`` helper below (django-environ), and every such variable is listed in the
README's configuration table. ``dev``, ``test`` and ``production`` adjust this
module; staging and prod differ only in their environment.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=False):
    env.read_env(str(BASE_DIR / ".env"))

# Local state of the embedded defaults: SQLite, the filesystem broker, media, static.
VAR_DIR = Path(env("VAR_DIR", default=str(BASE_DIR / "var")))

# --- Core -------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="insecure-development-key-never-use-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- Apps and middleware: each list is assembled here and nowhere else ----------------
# Google sign-in exists only when both variables are set (its provider app below, its
# settings under Authentication); no SocialApp row is needed.
GOOGLE_CLIENT_ID = env("GOOGLE_CLIENT_ID", default="")
GOOGLE_CLIENT_SECRET = env("GOOGLE_CLIENT_SECRET", default="")
if bool(GOOGLE_CLIENT_ID) != bool(GOOGLE_CLIENT_SECRET):
    raise environ.ImproperlyConfigured("Set both GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET, or neither.")


def installed_apps(demo=False):
    """INSTALLED_APPS. ``demo``: with the demo app (``manage.py demo_content``), which dev.py
    and test.py ask for (``INSTALLED_APPS = installed_apps(demo=True)``) and production leaves out."""
    return [
        "portal",
        "home",
        "pagetree",
        # Before wagtailmedia, so its admin templates can be extended here.
        "media_library",
        "wagtailmedia",
        "courses",
        "lessons",
        "lti",
        # Content packages (SCORM, H5P) played in lessons (README, "Content packages").
        "packages",
        # Learning records: xAPI statements to a Learning Record Store (README, "Learning records").
        "xapi",
        "sharing",
        # The transactional outbox: tasks a request or a signal starts (README, "Failures").
        "outbox",
        # Translation of pages through wagtail-localize (README, "Languages"): its workflow in the
        # editor, PO export and import for translators; `locales` syncs Locale rows with
        # WAGTAIL_CONTENT_LANGUAGES.
        "wagtail_localize",
        "wagtail_localize.locales",
        "wagtail.api.v2",
        "rest_framework",
        "wagtail.contrib.forms",
        "wagtail.contrib.redirects",
        "wagtail.contrib.settings",
        "wagtail.embeds",
        "wagtail.sites",
        "wagtail.users",
        "wagtail.snippets",
        "wagtail.documents",
        "wagtail.images",
        "wagtail.search",
        "wagtail.admin",
        "wagtail",
        "modelcluster",
        "taggit",
        "django_filters",
        "django_celery_beat",
        "django.contrib.admin",
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "django.contrib.messages",
        "portal.staticfiles.StaticFilesConfig",  # django.contrib.staticfiles, leaving out unused npm builds
        "csp",
        # Students' accounts: django-allauth, integrated by the `accounts` app (README,
        # "Accounts"); `accounts` comes before allauth so that its templates override allauth's.
        "accounts",
        "allauth",
        "allauth.account",
        "allauth.socialaccount",
        "allauth.usersessions",
        "django.contrib.humanize",  # allauth's sessions page says "3 minutes ago"
        *(["allauth.socialaccount.providers.google"] if GOOGLE_CLIENT_ID else []),
        "django_prometheus",  # request and cache metrics for /metrics (portal/metrics.py)
        *(["demo"] if demo else []),
    ]


INSTALLED_APPS = installed_apps()

MIDDLEWARE = [
    # First: a request declaring a body larger than any upload it may carry is refused from
    # its Content-Length, before anything (the CSRF check, the multipart parser) reads it.
    "portal.body_limit.DeclaredLengthLimitMiddleware",
    # django-prometheus counts requests by view and status and times them: its two middleware
    # wrap all the others; /metrics itself is answered first (portal/metrics.py), like the probes.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "portal.metrics.MetricsMiddleware",
    # Before the rest, so that probes answer whatever the Host header and before any
    # HTTPS redirect: Kubernetes probes use the pod IP over plain HTTP.
    "portal.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on HTML responses: strict on the site, looser in the admins.
    "portal.csp.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.logging.RequestIdMiddleware",
    # Anonymous visitors' pages from the cache, before sessions, CSRF, auth and routing.
    "portal.page_cache.PageCacheMiddleware",
    # After an LTI launch: third-party-proof session and CSRF cookies, framing by the platform.
    "lti.embedding.EmbeddingMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: from the URL's prefix on pages (/fr/...; none for the default language),
    # elsewhere the language cookie or the browser's Accept-Language (README, "Languages").
    # After sessions, before CommonMiddleware (Django's order).
    "portal.languages.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, with the user's row read from the cache (accounts/middleware.py says why).
    "accounts.middleware.AuthenticationMiddleware",
    "portal.logging.RequestUserMiddleware",
    "portal.privacy.PrivateForLoggedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
# Without DATABASE_URL the portal runs on an SQLite file, so `make run` needs no server.
# The primary itself, bypassing a pooler (PgBouncer, CloudNativePG's Pooler): for what needs
# a session of its own. Backups (pg_dump) always use it when set; a process with
# DATABASE_CONNECT_DIRECT (the media worker's advisory locks, the migrate Job) uses it for
# everything.
DATABASE_DIRECT_URL = env("DATABASE_DIRECT_URL", default="")
DATABASE_DIRECT = env.db_url_config(DATABASE_DIRECT_URL) if DATABASE_DIRECT_URL else None
DATABASE_CONNECT_DIRECT = env.bool("DATABASE_CONNECT_DIRECT", default=False) and bool(DATABASE_DIRECT)
# DATABASE_URL names a PgBouncer in transaction mode: a connection is the client's only for
# one transaction, so no server-side cursors (a cursor outlives its transaction); Django's
# psycopg backend already prepares no statements. kustomize/README.md, "Connection pooling".
DATABASE_TRANSACTION_POOLING = env.bool("DATABASE_TRANSACTION_POOLING", default=False)


def database_config(url):
    """DATABASES["default"] for ``url``, with the pooling and persistence settings above."""
    db = dict(DATABASE_DIRECT) if DATABASE_CONNECT_DIRECT else env.db_url_config(url)
    # Persistent connections: a PostgreSQL-backed Wagtail page measured about 3x slower
    # when every request opened its own connection. Behind PgBouncer they are cheap client
    # connections to the pooler, kept just as long (the pooler multiplexes the servers).
    db["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    db["CONN_HEALTH_CHECKS"] = True
    if DATABASE_TRANSACTION_POOLING and not DATABASE_CONNECT_DIRECT:
        db["DISABLE_SERVER_SIDE_CURSORS"] = True
    return db


DATABASES = {"default": database_config(env("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat write to the same file; WAL and IMMEDIATE
    # transactions turn "database is locked" errors into short waits.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions -----------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, failing open onto a per-process cache while Redis is
            # unreachable (portal/cache.py says why not django-redis' IGNORE_EXCEPTIONS).
            "BACKEND": "portal.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="ringlet"),
            # Fail fast: a dead or unroutable Redis must not hang requests or readiness
            # probes; after one failure the cache skips Redis for a few seconds anyway.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Sessions live in the database and are cached, so losing Redis logs no one out.
# (Django's cached_db, reading the content version in the same round trip: portal/sessions.py.)
SESSION_ENGINE = "portal.sessions"
# Anonymous visitors' pages, kept whole in the cache (portal/page_cache.py); any publish
# drops them, so the lifetime only bounds what time changes (an enrollment window closing).
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=300)
# How long shared caches in front of the site (a CDN) may keep such a page without asking.
PAGE_CACHE_S_MAXAGE = env.int("PAGE_CACHE_S_MAXAGE", default=60)

# --- Authentication -------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Students' accounts: django-allauth, integrated by the `accounts` app (README, "Accounts";
# its apps and middleware are in the lists above).
AUTHENTICATION_BACKENDS = [
    # Username and password: the Wagtail admin's own login form, for staff.
    "django.contrib.auth.backends.ModelBackend",
    # Email and password (and Google) on the site's login page, for students.
    "allauth.account.auth_backends.AuthenticationBackend",
]
# The site's login page is allauth's; the Wagtail admin keeps /admin/login/.
LOGIN_URL = "account_login"
# After logging in, a student lands on their courses.
LOGIN_REDIRECT_URL = "courses:dashboard"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_USER_DISPLAY = "accounts.services.display_name"
# Students think in email addresses: they log in with one and never choose a username
# (allauth fills User.username from the address, for the admin's sake).
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
# allauth's form, with the same work (a password hash) whether or not the address has an account.
ACCOUNT_FORMS = {
    "signup": "accounts.forms.SignupForm",
    # The rest only carry the site's own labels (sentence case).
    "login": "accounts.forms.LoginForm",
    "add_email": "accounts.forms.AddEmailForm",
    "change_password": "accounts.forms.ChangePasswordForm",
    "set_password": "accounts.forms.SetPasswordForm",
    "reset_password_from_key": "accounts.forms.ResetPasswordKeyForm",
}
# No one logs in before proving they own the address; dev.py relaxes this to "optional".
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# Following the link in the browser that signed up logs the student straight in.
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
# One login policy for /accounts/login/, /admin/login/ and /django-admin/login/: the same
# verification rule, rate limits and lock-out (accounts/login_policy.py).
WAGTAILADMIN_USER_LOGIN_FORM = "accounts.forms.WagtailLoginForm"
# ACCOUNT_RATE_LIMITS keeps allauth's defaults (e.g. 5 failed logins per address per 5 minutes,
# 10 per IP a minute); they are counted in the default cache, Redis when REDIS_URL is set.
# Per-IP limits need the client's address: behind N proxies of ours (the ingress), it is the
# Nth address from the right of X-Forwarded-For. 0 trusts no proxy and uses REMOTE_ADDR.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Google sign-in (GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET, read with the apps above).
SOCIALACCOUNT_PROVIDERS = {}
if GOOGLE_CLIENT_ID:
    SOCIALACCOUNT_PROVIDERS["google"] = {
        "APPS": [{"client_id": GOOGLE_CLIENT_ID, "secret": GOOGLE_CLIENT_SECRET, "key": ""}],
        "SCOPE": ["profile", "email"],
        "AUTH_PARAMS": {"access_type": "online"},
        "OAUTH_PKCE_ENABLED": True,
    }
# Google verifies its addresses, so "Sign in with Google" opens the existing account with
# that address instead of refusing with "an account already exists".
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True

# --- Internationalisation (README, "Languages") -------------------------------------
# The site's languages, as ISO 639-1 codes, the first being the default (URLs without a
# prefix); the others' pages live under /<code>/. English alone keeps a single-language site.
from django.conf.locale import LANG_INFO  # noqa: E402

_language_codes = env.list("LANGUAGES", default=["en"])
_unknown = [code for code in _language_codes if code not in LANG_INFO]
if _unknown or not _language_codes:
    raise environ.ImproperlyConfigured(
        f"LANGUAGES names languages Django does not know: {', '.join(_unknown) or '(none)'}; "
        "give ISO 639-1 codes such as en,fr."
    )
LANGUAGES = [(code, LANG_INFO[code]["name"]) for code in _language_codes]
LANGUAGE_CODE = _language_codes[0]
# Wagtail's own localisation: every page has a locale, translations share a translation_key.
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
# The project's own translations (each app's locale/ folder is found too).
LOCALE_PATHS = [BASE_DIR / "portal" / "locale"]
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media files ---------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(VAR_DIR / "static")))
MEDIA_URL = env("MEDIA_URL", default="/media/")
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))

AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
AZURE_CONTAINER = env("AZURE_CONTAINER", default="")
if AWS_STORAGE_BUCKET_NAME and AZURE_CONTAINER:
    # Half the files in one store and half in the other would be worse than not starting.
    raise environ.ImproperlyConfigured(
        "Both AWS_STORAGE_BUCKET_NAME and AZURE_CONTAINER are set: media can live in one store "
        "only. Unset one of them."
    )


def s3_storage(bucket_name, **options):
    """django-storages' S3 backend on ``bucket_name`` with the AWS_* credentials and endpoint:
    private objects (no ACL), never overwritten, plus ``options``."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket_name,
            "access_key": env("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default=None),
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "addressing_style": env("AWS_S3_ADDRESSING_STYLE", default="auto"),
            "signature_version": "s3v4",
            "file_overwrite": False,
            "default_acl": None,
            **options,
        },
    }


if AWS_STORAGE_BUCKET_NAME:
    # Originals, renditions and captions go to S3 (or any S3-compatible store);
    # URLs are short-lived signed URLs, never public objects.
    DEFAULT_STORAGE = s3_storage(
        AWS_STORAGE_BUCKET_NAME,
        querystring_auth=True,
        querystring_expire=env.int("AWS_QUERYSTRING_EXPIRE", default=300),
    )
elif AZURE_CONTAINER:
    # Azure Blob Storage, as the alternative to S3: a private container, short-lived SAS URLs
    # (django-storages' backend, with listdir fixed in media_library/azure_storage.py).
    DEFAULT_STORAGE = {
        "BACKEND": "media_library.azure_storage.AzureStorage",
        "OPTIONS": {
            "azure_container": AZURE_CONTAINER,
            "connection_string": env("AZURE_CONNECTION_STRING", default=None),
            "account_name": env("AZURE_ACCOUNT_NAME", default=None),
            "account_key": env("AZURE_ACCOUNT_KEY", default=None),
            "custom_domain": env("AZURE_CUSTOM_DOMAIN", default=None),
            "expiration_secs": env.int("AZURE_URL_EXPIRATION_SECS", default=300),
            "overwrite_files": False,
        },
    }
else:
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
# Where the browser fetches media from besides this site (the CSP allows it; portal/csp.py).
if AWS_STORAGE_BUCKET_NAME:
    _endpoint = DEFAULT_STORAGE["OPTIONS"]["endpoint_url"]
    STORAGE_ORIGINS = [_endpoint.rstrip("/")] if _endpoint else ["https://*.amazonaws.com"]
elif AZURE_CONTAINER:
    _azure = DEFAULT_STORAGE["OPTIONS"]
    STORAGE_ORIGINS = [
        f"https://{_azure['custom_domain']}"
        if _azure["custom_domain"]
        else f"https://{_azure['account_name'] or '*'}.blob.core.windows.net"
    ]
else:
    STORAGE_ORIGINS = []
STORAGE_ORIGINS += env.list("CSP_MEDIA_ORIGINS", default=[])
# Database dumps (`manage.py backup_db`) go to a bucket or container of their own when one
# is named, so that losing or emptying the media bucket does not take the backups with it
# (and each can have its own retention, versioning and access). Otherwise: the media store.
BACKUP_BUCKET_NAME = env("BACKUP_BUCKET_NAME", default="")
BACKUP_AZURE_CONTAINER = env("BACKUP_AZURE_CONTAINER", default="")
if BACKUP_BUCKET_NAME and BACKUP_AZURE_CONTAINER:
    raise environ.ImproperlyConfigured("Set BACKUP_BUCKET_NAME or BACKUP_AZURE_CONTAINER, not both.")
if BACKUP_BUCKET_NAME:
    BACKUP_STORAGE = s3_storage(BACKUP_BUCKET_NAME)
elif BACKUP_AZURE_CONTAINER:
    BACKUP_STORAGE = {
        "BACKEND": "media_library.azure_storage.AzureStorage",
        "OPTIONS": {
            "azure_container": BACKUP_AZURE_CONTAINER,
            "connection_string": env("AZURE_CONNECTION_STRING", default=None),
            "account_name": env("AZURE_ACCOUNT_NAME", default=None),
            "account_key": env("AZURE_ACCOUNT_KEY", default=None),
            "overwrite_files": False,
        },
    }
else:
    BACKUP_STORAGE = DEFAULT_STORAGE
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    "backups": BACKUP_STORAGE,
}

# Complex page models exceed Django's default of 1000 fields in Wagtail's editor.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- Email -------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Ringlet <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Wagtail -------------------------------------------------------------------------
WAGTAIL_SITE_NAME = env("WAGTAIL_SITE_NAME", default="Ringlet")
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
# The API's detail_url and html_url; unset, they use the host each request came in on.
WAGTAILAPI_BASE_URL = env("WAGTAILAPI_BASE_URL", default=None)
# No avatars from gravatar.com: they would tell a third party who uses the admin (and the
# admin's CSP allows images from this site and the media store only).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Nor a call to releases.wagtail.org from editors' browsers: versions are pinned and upgraded
# deliberately (requirements/base.txt).
WAGTAIL_ENABLE_UPDATE_CHECK = False
# Wagtail's database backend, stemming each page in its language (pagetree/search_backend.py).
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "pagetree.search_backend"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "csv", "docx", "odt", "pptx", "txt", "xlsx", "zip"]

# --- Content-Security-Policy (django-csp; portal/csp.py says what each part allows) ----
from portal.csp import admin_directives, site_directives  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": site_directives(
        STORAGE_ORIGINS, form_origins=["https://accounts.google.com"] if GOOGLE_CLIENT_ID else []
    )
}
CSP_ADMIN_DIRECTIVES = admin_directives(STORAGE_ORIGINS)

# --- Celery ----------------------------------------------------------------------------
# The longest video or audio the pipeline supports, in hours. It alone sets the encode
# time limits and (checked by the deployment tests) the media worker's termination grace
# period; longer uploads are refused with a clear error.
MEDIA_MAX_DURATION_HOURS = env.float("MEDIA_MAX_DURATION_HOURS", default=3)
# Time limits of every task that does not set its own (the short tasks a request or a signal
# starts: emails, certificates, reading a document). Encodes and the periodic sweeps set theirs.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=75)
# The longest a task waits between two retries. A waiting retry is a message the worker holds
# unacknowledged, so it counts against the visibility timeout like the run itself.
TASK_RETRY_BACKOFF_MAX = env.int("TASK_RETRY_BACKOFF_MAX", default=15)
# Redis hands a message that was delivered but never acknowledged out again after this many
# seconds: a short task whose worker was killed (SIGKILL, OOM, a lost node) runs again this
# long after (plus the 10 s between a worker's checks). Short tasks are acknowledged when they
# finish, so it must outlast the longest of them with its retry wait; encodes and the periodic
# sweeps are acknowledged when they start and workers prefetch nothing
# (CELERY_WORKER_DISABLE_PREFETCH), so a 3-hour encode never waits on it: the media sweep
# finds a killed encode by its heartbeat instead (media_library/tasks.py).
CELERY_VISIBILITY_TIMEOUT = env.int(
    "CELERY_VISIBILITY_TIMEOUT", default=CELERY_TASK_TIME_LIMIT + TASK_RETRY_BACKOFF_MAX + 15
)
# An email claimed by a task (outbox.services.claim) is taken to be abandoned after this long:
# no task runs longer than its hard time limit, so a claim this old belongs to a dead worker.
# It expires before Redis redelivers that worker's task, which then sends the email.
DELIVERY_LEASE = CELERY_TASK_TIME_LIMIT + 15
_held_at_most = max(CELERY_TASK_TIME_LIMIT + TASK_RETRY_BACKOFF_MAX, DELIVERY_LEASE)
if _held_at_most >= CELERY_VISIBILITY_TIMEOUT:
    raise environ.ImproperlyConfigured(
        "CELERY_VISIBILITY_TIMEOUT must exceed CELERY_TASK_TIME_LIMIT + 15 and CELERY_TASK_TIME_LIMIT + "
        "TASK_RETRY_BACKOFF_MAX, or Redis would hand a task that is still running (or waiting to retry) "
        "to a second worker."
    )
BROKER_DIR = VAR_DIR / "broker"
# The filesystem transport ignores the host; naming one spares a "No hostname was supplied"
# warning from every connection.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://localhost/")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu's filesystem transport needs no server; the folders must be absolute
    # and exist, or messages end up relative to each process's working directory.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
        "control_folder": str(BROKER_DIR / "control"),
    }
    for folder in ("queue", "processed", "control", "results"):
        (BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
    _default_results = f"file://{BROKER_DIR / 'results'}"
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
        # Every worker looks for such messages every 10 s (kombu's default scans one call
        # in ten, which would add up to 100 s to a redelivery).
        "unacked_restore_interval": 10,
        "unacked_restore_throttle": 1,
        # A broker that does not answer fails a publish in seconds, not a request in 20 s.
        "socket_connect_timeout": 2,
    }
    _default_results = CELERY_BROKER_URL
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=_default_results)
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing while the broker is down gives up after one quick retry: the outbox keeps what
# could not be published (outbox/relay.py), and nothing on the request path publishes at all.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
# A task is acknowledged only once it has finished, and handed back if the worker
# dies under it: nothing is lost when a pod is killed mid-task.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker fetches a message only when one of its processes is free (Celery's
# worker_disable_prefetch, Redis only: the filesystem broker of `make run` has no visibility
# timeout, and Celery would warn that it ignores this). No message waits, delivered but
# unacknowledged, behind a long task, where the visibility timeout would hand it to a second
# worker while the first still holds it; and a media worker, whose encode is acknowledged when
# it starts, does not fetch the next item while it encodes and hold it for the encode's hours
# (out of the queue, unseen by KEDA and by idle workers, and lost with the pod if it is drained
# or killed until the sweep finds it queued for MEDIA_STUCK_AFTER:
# tests/media_library/test_busy_worker.py).
CELERY_WORKER_DISABLE_PREFETCH = CELERY_BROKER_URL.startswith(("redis://", "rediss://"))
CELERY_TASK_DEFAULT_QUEUE = "default"
# Long FFmpeg encodes run on their own queue and workers so they never starve
# short tasks such as emails.
MEDIA_QUEUE = env("MEDIA_QUEUE", default="media")
# Reading a PDF (a page count, one thumbnail) takes a fraction of a second: it runs on the
# default queue, never behind an hour-long encode. An exact name is matched before a pattern.
CELERY_TASK_ROUTES = {
    "media_library.tasks.record_document_info": {"queue": "default"},
    # Calls to the store only: never behind a 3-hour encode on the media worker.
    "media_library.tasks.sweep_abandoned_uploads": {"queue": "default"},
    "media_library.tasks.*": {"queue": MEDIA_QUEUE},
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Days a new share link to a draft stays valid unless its creator picks otherwise (sharing/).
SHARE_LINK_DAYS = env.int("SHARE_LINK_DAYS", default=7)
# Seconds between runs of Wagtail's scheduled publishing (courses.tasks.publish_scheduled), a
# PeriodicTask made by the courses app's data migration.
PUBLISH_SCHEDULED_EVERY = env.int("PUBLISH_SCHEDULED_EVERY", default=60)
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "portal.tasks.clear_expired_sessions",
        "schedule": 24 * 3600,
    },
}

# --- Playback positions (lessons/playback_buffer.py) ----------------------------------
# How often the player reports its position while playing (it also reports on pause, seek and
# when the page is hidden or closed); chosen by measurement (README, "Students").
PLAYBACK_REPORT_SECONDS = env.int("PLAYBACK_REPORT_SECONDS", default=15)
# Reports wait in Redis at most about this long before the beat task writes them to PostgreSQL.
PLAYBACK_FLUSH_SECONDS = env.int("PLAYBACK_FLUSH_SECONDS", default=10)
# How long the signed grant a lesson page gives the player is accepted (then reports go the
# slow way, through the database, until the page is loaded again).
PLAYBACK_GRANT_SECONDS = env.int("PLAYBACK_GRANT_SECONDS", default=6 * 3600)
CELERY_BEAT_SCHEDULE["lessons-flush-playback"] = {
    "task": "lessons.tasks.flush_playback",
    "schedule": PLAYBACK_FLUSH_SECONDS,
    # A run missed (the worker busy) is simply folded into the next: the buffer keeps everything.
    "options": {"expires": PLAYBACK_FLUSH_SECONDS},
}

# --- Media library (media_library/) ---------------------------------------------------
WAGTAILMEDIA = {
    "MEDIA_MODEL": "media_library.Media",
    "MEDIA_FORM_BASE": "media_library.forms.MediaForm",
}
# Video/audio uploads above this many MiB are refused by the upload form with a clear error.
MEDIA_MAX_UPLOAD_MB = env.int("MEDIA_MAX_UPLOAD_MB", default=2048)
# Resumable uploads to an S3 bucket (media_library/resumable.py) send parts of this many MiB
# (at least 5, S3's minimum; larger when 10,000 parts would not hold the file).
MEDIA_UPLOAD_PART_MB = env.int("MEDIA_UPLOAD_PART_MB", default=16)
# A resumable upload left unfinished this many hours is aborted by the hourly sweep
# (media_library.tasks.sweep_abandoned_uploads, on the default queue): its parts stop costing storage.
MEDIA_UPLOAD_ABANDON_AFTER_HOURS = env.float("MEDIA_UPLOAD_ABANDON_AFTER_HOURS", default=48)
# A queued item waiting this long (its message may have been lost with the broker's data)
# is enqueued again by the sweep.
MEDIA_STUCK_AFTER = env.int("MEDIA_STUCK_AFTER", default=900)
# A processing item whose encode wrote no heartbeat for this long has nobody running it
# (a killed worker): the sweep, every minute, queues it again.
MEDIA_HEARTBEAT_TIMEOUT = env.int("MEDIA_HEARTBEAT_TIMEOUT", default=60)
# Lifetime of the signed URLs a granted playlist hands out for its variant playlists and
# segments (media_library/signing.py): also how long a revoked enrollment may keep streaming.
MEDIA_SIGNED_URL_SECONDS = env.int("MEDIA_SIGNED_URL_SECONDS", default=300)
# Seconds between beat's media sweeps (media_library.tasks.sweep_stuck_media): the sweep is
# what queues again an encode whose worker was killed (a node drain, a crash). A test that
# drains a worker runs beat with a few seconds here.
MEDIA_SWEEP_EVERY = env.int("MEDIA_SWEEP_EVERY", default=60)
# The edge tier's purge port (deploy/edge/: PURGE requests, every address the host name
# resolves to, so a headless Service reaches every edge pod). Unset: nothing is purged.
EDGE_PURGE_URL = env("EDGE_PURGE_URL", default="")
if EDGE_PURGE_URL:
    WAGTAILFRONTENDCACHE = {
        "edge": {
            "BACKEND": "portal.edge_purge.EdgePurgeBackend",
            "LOCATION": EDGE_PURGE_URL,
            "TIMEOUT": env.float("EDGE_PURGE_TIMEOUT", default=5.0),
        }
    }
# The edge tier (deploy/edge/, kustomize/base/edge.yaml) checks signed HLS URLs itself and
# serves the files from the media volume it mounts: no Python process sees a segment request.
# Off (the default, and `make run`): Django checks them (media_library/signing.py).
MEDIA_SIGNED_AT_EDGE = env.bool("MEDIA_SIGNED_AT_EDGE", default=False)
# The key the edge and Django share for those URLs (the edge container's EDGE_SIGNING_KEY).
MEDIA_EDGE_SIGNING_KEY = env("EDGE_SIGNING_KEY", default="")
if MEDIA_SIGNED_AT_EDGE and len(MEDIA_EDGE_SIGNING_KEY) < 32:
    raise environ.ImproperlyConfigured(
        "MEDIA_SIGNED_AT_EDGE needs EDGE_SIGNING_KEY, the edge's key: at least 32 characters."
    )
if MEDIA_SIGNED_AT_EDGE and (AWS_STORAGE_BUCKET_NAME or AZURE_CONTAINER):
    raise environ.ImproperlyConfigured(
        "MEDIA_SIGNED_AT_EDGE serves renditions from the media volume the edge mounts; with "
        "AWS_STORAGE_BUCKET_NAME or AZURE_CONTAINER they are in an object store: leave it off."
    )
CELERY_BEAT_SCHEDULE["media-sweep-stuck"] = {
    "task": "media_library.tasks.sweep_stuck_media",
    "schedule": MEDIA_SWEEP_EVERY,
}
CELERY_BEAT_SCHEDULE["media-sweep-uploads"] = {
    "task": "media_library.tasks.sweep_abandoned_uploads",
    "schedule": 3600,
}
# hls.js, Plyr and pdf.js come from the npm registry at build time (package-lock.json, `make venv`),
# served as static files: no CDN. pdf.js needs, besides its build (the library and its module
# worker), the data it fetches on demand: the standard fonts PDFs name without embedding,
# CMaps for CJK text, and the WebAssembly image decoders (with their JS fallbacks).
PDFJS = BASE_DIR / "node_modules" / "pdfjs-dist"
STATICFILES_DIRS = [
    ("vendor/hls.js", BASE_DIR / "node_modules" / "hls.js" / "dist"),
    # The player's controls (speed, captions and quality menus, seek previews): Plyr's
    # script, stylesheet and SVG icon sprite.
    ("vendor/plyr", BASE_DIR / "node_modules" / "plyr" / "dist"),
    # The package runtimes (packages/): scorm-again's SCORM 1.2 and 2004 APIs, and the
    # H5P player (its frame script, styles and fonts).
    ("vendor/scorm-again", BASE_DIR / "node_modules" / "scorm-again" / "dist"),
    ("vendor/h5p-standalone", BASE_DIR / "node_modules" / "h5p-standalone" / "dist"),
    *((f"vendor/pdfjs/{part}", PDFJS / part) for part in ("build", "standard_fonts", "cmaps", "wasm")),
]

# --- Content packages: SCORM 1.2/2004 and H5P (packages/) -------------------------------
# Uploads above this many MiB are refused; the worker also caps what a zip unpacks to (its
# size and its number of files), so a zip bomb is refused rather than filling the disk.
PACKAGE_MAX_UPLOAD_MB = env.int("PACKAGE_MAX_UPLOAD_MB", default=500)
PACKAGE_MAX_UNPACKED_MB = env.int("PACKAGE_MAX_UNPACKED_MB", default=2048)
PACKAGE_MAX_FILES = env.int("PACKAGE_MAX_FILES", default=20_000)
# Lifetime of the signed URLs a launch hands out for a package's files and runtime (a
# session in a package lasts as long as this; the launch checks access again each time).
PACKAGE_SESSION_SECONDS = env.int("PACKAGE_SESSION_SECONDS", default=4 * 3600)
# An origin of its own for package content (e.g. https://packages.learn.example.com, a second
# host name for the same web pods): packages then run isolated from the site's pages and
# cookies. Empty: served from the site's own origin, in a sandboxed iframe.
PACKAGES_ORIGIN = env("PACKAGES_ORIGIN", default="").rstrip("/")
if PACKAGES_ORIGIN:
    # Lesson pages frame the package player from there (portal/csp.py).
    CONTENT_SECURITY_POLICY["DIRECTIVES"] = site_directives(
        STORAGE_ORIGINS,
        form_origins=["https://accounts.google.com"] if GOOGLE_CLIENT_ID else [],
        frame_origins=[PACKAGES_ORIGIN],
    )
CELERY_BEAT_SCHEDULE["packages-sweep"] = {"task": "packages.tasks.sweep_packages", "schedule": 60}

# --- Learning records: xAPI statements to a Learning Record Store (xapi/) ---------------
# The LRS's xAPI endpoint (statements go to <XAPI_LRS_URL>/statements). Unset: nothing is
# recorded or sent. The credentials are HTTP basic auth (an LRS's "key" and "secret").
XAPI_LRS_URL = env("XAPI_LRS_URL", default="")
XAPI_LRS_USERNAME = env("XAPI_LRS_USERNAME", default=env("XAPI_LRS_KEY", default=""))
XAPI_LRS_PASSWORD = env("XAPI_LRS_PASSWORD", default=env("XAPI_LRS_SECRET", default=""))
XAPI_LRS_TIMEOUT = env.float("XAPI_LRS_TIMEOUT", default=10)
XAPI_BATCH_SIZE = env.int("XAPI_BATCH_SIZE", default=50)
# The Celery queue the sending task goes to (the default workers consume "default").
XAPI_QUEUE = env("XAPI_QUEUE", default="default")
# Actors are accounts on this site (homePage + the user's id); their email only if this is set.
XAPI_ACTOR_HOMEPAGE = env("XAPI_ACTOR_HOMEPAGE", default="")
XAPI_ACTOR_EMAIL = env.bool("XAPI_ACTOR_EMAIL", default=False)
CELERY_BEAT_SCHEDULE["xapi-sweep"] = {"task": "xapi.tasks.sweep_statements", "schedule": 60}

# --- Request ids and logging ---------------------------------------------------------
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOG_FORMAT = env("LOG_FORMAT", default="text")  # "text" or "json"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "portal.logging.RequestIdFilter"},
        "user_id": {"()": "portal.logging.UserIdFilter"},
    },
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)-7s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(user_id)s",
            "rename_fields": {"levelname": "level", "name": "logger", "asctime": "time"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id", "user_id"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Wagtail 8 runs its search and reference-index updates as django-tasks;
        # one INFO line per state change drowns everything else.
        "django_tasks": {"level": "WARNING"},
    },
}

# --- Demo content (`manage.py demo_content`, run by `make run`) -----------------------
DEMO_ADMIN_PASSWORD = env("DEMO_ADMIN_PASSWORD", default="")

# --- Operations: beat's heartbeat, database backups, metrics (portal/) ------------------
# Kept in one block (issue 15): other settings stay untouched above.
# Beat touches a heartbeat file on every tick, read by its liveness probe (portal/probes.py).
CELERY_BEAT_SCHEDULER = "portal.beat_scheduler.HeartbeatDatabaseScheduler"
# `manage.py backup_db` (portal/backups.py): dumps go to this folder of the default storage
# (the media bucket or MEDIA_ROOT), and this many of the newest daily and weekly ones stay.
BACKUP_LOCATION = env("BACKUP_LOCATION", default="backups")
BACKUP_KEEP_DAILY = env.int("BACKUP_KEEP_DAILY", default=7)
BACKUP_KEEP_WEEKLY = env.int("BACKUP_KEEP_WEEKLY", default=4)
# /metrics (portal/metrics.py): with a token, only `Authorization: Bearer <token>` is let
# in; without one, only requests that did not come through the ingress.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
# django-prometheus' app and middleware are in the lists at the top.
# Cache reads, and the ones Redis did not answer, are counted by the cache itself (portal/cache.py).

# --- LTI 1.3 Advantage (lti/; README "LTI") ------------------------------------------------
# Days a retired signing key stays in /lti/jwks/ after `manage.py lti_rotate_keys` (platforms
# cache the JWKS), before the next rotation deletes it.
LTI_KEY_RETIRED_DAYS = env.int("LTI_KEY_RETIRED_DAYS", default=7)
# How long a platform's JWKS is cached; a token naming a key not in it fetches it again at once,
# but not more often than every LTI_PLATFORM_JWKS_REFETCH_SECONDS.
LTI_PLATFORM_JWKS_SECONDS = env.int("LTI_PLATFORM_JWKS_SECONDS", default=3600)
LTI_PLATFORM_JWKS_REFETCH_SECONDS = env.int("LTI_PLATFORM_JWKS_REFETCH_SECONDS", default=10)
# Seconds allowed between a login initiation and its launch; clock skew tolerated on exp and iat.
LTI_STATE_SECONDS = env.int("LTI_STATE_SECONDS", default=600)
LTI_CLOCK_SKEW_SECONDS = env.int("LTI_CLOCK_SKEW_SECONDS", default=60)
# Timeout of every request to a platform (JWKS, token, grades, roster), in seconds.
LTI_HTTP_TIMEOUT = env.float("LTI_HTTP_TIMEOUT", default=10)
# A grade still pending this many seconds after its event is started again by beat.
LTI_GRADE_STUCK_AFTER = env.int("LTI_GRADE_STUCK_AFTER", default=300)
CELERY_BEAT_SCHEDULE["lti-retry-pending-grades"] = {
    "task": "lti.tasks.retry_pending_grades",
    "schedule": 300,
}
# Nonces of expired id_tokens are no longer needed to refuse a replay (exp refuses it).
CELERY_BEAT_SCHEDULE["lti-purge-used-nonces"] = {"task": "lti.tasks.purge_used_nonces", "schedule": 24 * 3600}

# --- Nothing lost (issue 22): the outbox, recovery sweeps, email deadline ----------------------
# Kept in one block: the Celery limits and visibility timeout they rely on are above.
# Tasks a request or a signal starts are written to the outbox in its transaction and
# published after it commits (outbox/relay.py); beat publishes what is left this often.
OUTBOX_RELAY_EVERY = env.int("OUTBOX_RELAY_EVERY", default=10)
# Sent messages are kept this many days for inspection, then deleted by the relay.
OUTBOX_KEEP_DAYS = env.int("OUTBOX_KEEP_DAYS", default=7)
CELERY_BEAT_SCHEDULE["outbox-relay"] = {
    "task": "outbox.tasks.relay",
    "schedule": OUTBOX_RELAY_EVERY,
    # A backlog of relay runs (the workers were away) is one run's work: the rest expire.
    "options": {"expire_seconds": OUTBOX_RELAY_EVERY},
}
# Recovery sweeps (courses/recovery.py), every RECOVERY_EVERY seconds: a course completion
# with no finished certificate, an enrollment with no confirmation, a certificate not emailed,
# RECOVERY_GRACE seconds after the event and up to RECOVERY_WINDOW_DAYS days old, at most
# RECOVERY_BATCH of each per run.
RECOVERY_EVERY = env.int("RECOVERY_EVERY", default=60)
RECOVERY_GRACE = env.int("RECOVERY_GRACE", default=300)
RECOVERY_WINDOW_DAYS = env.int("RECOVERY_WINDOW_DAYS", default=7)
RECOVERY_BATCH = env.int("RECOVERY_BATCH", default=100)
CELERY_BEAT_SCHEDULE["courses-recover-lost-work"] = {
    "task": "courses.tasks.recover_lost_work",
    "schedule": RECOVERY_EVERY,
    "options": {"expire_seconds": RECOVERY_EVERY},
}
# Seconds an SMTP connection may wait on the mail server (connect, and each reply): a hung
# server fails the task within this, and it is retried (EMAIL_RETRY_BACKOFF s, doubling up to
# TASK_RETRY_BACKOFF_MAX), then picked up by the recovery sweep.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# allauth's emails (verification codes, password resets) are sent during the request, waiting on
# the mail server at most this long; if it fails, they go to the outbox for a worker to send
# (accounts/emails.py, send_now_or_later).
EMAIL_REQUEST_TIMEOUT = env.int("EMAIL_REQUEST_TIMEOUT", default=5)
EMAIL_RETRY_BACKOFF = env.int("EMAIL_RETRY_BACKOFF", default=5)
