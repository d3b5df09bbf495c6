"""allauth's rate limits, counted in the real Redis cache that every web process shares."""

import pytest
import redis
from django.conf import settings
from django.core import mail
from django.test import Client

from tests.account_fixtures import PASSWORD, log_in, logged_in_user, make_student

pytestmark = pytest.mark.django_db
TOO_MANY_LOGINS = "Too many failed login attempts. Try again later."


def rate_limit_keys(action):
    return redis.Redis.from_url(settings.REDIS_URL).keys(
        f"{settings.CACHES['default']['KEY_PREFIX']}:*allauth:rl:*{action}*"
    )


def test_the_counts_live_in_redis():
    # Django's Redis backend under portal/cache.py's fail-open wrapper.
    from django.core.cache.backends.redis import RedisCache
    from django.utils.module_loading import import_string

    assert issubclass(import_string(settings.CACHES["default"]["BACKEND"]), RedisCache)


def test_five_failed_logins_lock_the_address_even_against_the_right_password(client, student):
    for _ in range(5):
        response = log_in(client, "ada@example.com", "wrong-password")
        assert TOO_MANY_LOGINS not in response.content.decode()
    assert rate_limit_keys("login_failed"), "the failures were not counted in Redis"

    response = log_in(client, "ada@example.com", PASSWORD)
    assert TOO_MANY_LOGINS in response.content.decode()
    assert logged_in_user(client) is None

    # Another browser (same address) is locked out too: the count is per address, in Redis.
    other = Client()
    assert TOO_MANY_LOGINS in log_in(other, "ADA@example.com", PASSWORD).content.decode()
    # Another student is not.
    grace = make_student("grace@example.com")
    log_in(other, "grace@example.com")
    assert logged_in_user(other) == grace


def test_the_lock_lifts_when_the_count_expires(client, student):
    for _ in range(5):
        log_in(client, "ada@example.com", "wrong-password")
    assert TOO_MANY_LOGINS in log_in(client, "ada@example.com").content.decode()
    # Redis expires the count after allauth's window (5 minutes); deleting it stands in for waiting.
    redis.Redis.from_url(settings.REDIS_URL).delete(*rate_limit_keys("login_failed"))
    log_in(client, "ada@example.com")
    assert logged_in_user(client) == student


def test_sign_ups_from_one_address_are_limited_to_twenty_a_minute(client, db):
    for number in range(20):
        response = client.post(
            "/accounts/signup/",
            {
                "name": f"Student {number}",
                "email": f"s{number}@example.com",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
        assert response.status_code == 302, number
    response = client.post(
        "/accounts/signup/",
        {"name": "Student 20", "email": "s20@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert 'class="site-header"' in response.content.decode()


def test_password_reset_emails_to_one_address_are_limited(client, student):
    for _ in range(5):
        client.post("/accounts/password/reset/", {"email": "ada@example.com"})
    response = client.post("/accounts/password/reset/", {"email": "ada@example.com"})
    assert response.status_code == 429
    assert len(mail.outbox) == 5


def test_guessing_the_password_on_the_deletion_page_is_limited(client, student):
    client.force_login(student)
    for _ in range(10):
        assert client.post("/accounts/delete/", {"password": "guess"}).status_code == 400
    assert client.post("/accounts/delete/", {"password": PASSWORD}).status_code == 429
    student.refresh_from_db()  # still there


def test_behind_a_trusted_proxy_each_client_address_has_its_own_count(client, student, settings):
    """With TRUSTED_PROXY_COUNT=1 (production's default) the ingress's X-Forwarded-For names
    the client: one noisy address is limited, the next student behind the same ingress is not."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    noisy = {"HTTP_X_FORWARDED_FOR": "203.0.113.7", "REMOTE_ADDR": "10.0.0.2"}
    for number in range(10):
        client.post("/accounts/login/", {"login": f"x{number}@example.com", "password": "guess"}, **noisy)
    refused = client.post("/accounts/login/", {"login": "ada@example.com", "password": PASSWORD}, **noisy)
    assert TOO_MANY_LOGINS in refused.content.decode()

    other = Client(HTTP_X_FORWARDED_FOR="198.51.100.4", REMOTE_ADDR="10.0.0.2")
    log_in(other, "ada@example.com")
    assert logged_in_user(other) == student
