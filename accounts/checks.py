"""System checks: allauth's rate limits only work with a cache shared by every web process."""

from django.conf import settings
from django.core.checks import Warning, register

PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register(deploy=True)
def rate_limits_need_a_shared_cache(app_configs, **kwargs):
    backend = settings.CACHES["default"]["BACKEND"]
    if backend not in PER_PROCESS_CACHES:
        return []
    return [
        Warning(
            "Login and signup rate limits are counted in the default cache, which is "
            f"{backend.rsplit('.', 1)[-1]}: each web process counts on its own (or not at all).",
            hint="Set REDIS_URL so that every web process shares one count.",
            id="accounts.W001",
        )
    ]
