"""accounts.services: what other apps may ask about a user; and the deploy check on the cache."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import AnonymousUser
from django.test import override_settings

from accounts import services
from accounts.checks import rate_limits_need_a_shared_cache
from tests.account_fixtures import make_student

pytestmark = pytest.mark.django_db


def test_display_name_is_the_full_name_else_the_username_never_the_address():
    ada = make_student("ada.lovelace@example.com")
    assert services.display_name(ada) == "ada.lovelace"
    ada.first_name, ada.last_name = "Ada", "Lovelace"
    assert services.display_name(ada) == "Ada Lovelace"
    ada.first_name, ada.last_name = "  ", ""
    assert services.display_name(ada) == "ada.lovelace"
    assert services.display_name(AnonymousUser()) == ""


def test_primary_email_and_verification():
    ada = make_student("ada@example.com", verified=False)
    EmailAddress.objects.create(user=ada, email="ada@work.example.com", verified=False)
    assert services.primary_email(ada) == "ada@example.com"
    assert services.has_verified_email(ada) is False
    EmailAddress.objects.filter(email="ada@work.example.com").update(verified=True)
    assert services.has_verified_email(ada) is True


def test_deletion_refusal_protects_only_the_last_active_superuser():
    student = make_student("s@example.com")
    boss = make_student("boss@example.com", is_superuser=True, is_staff=True)
    assert services.deletion_refusal(student) is None
    assert "only administrator" in services.deletion_refusal(boss)
    make_student("gone@example.com", is_superuser=True, is_active=False)
    assert "only administrator" in services.deletion_refusal(boss)
    make_student("deputy@example.com", is_superuser=True)
    assert services.deletion_refusal(boss) is None


def test_deploy_check_warns_when_rate_limits_would_be_counted_per_process():
    assert rate_limits_need_a_shared_cache(None) == []  # Redis, as in production
    locmem = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with override_settings(CACHES=locmem):
        [warning] = rate_limits_need_a_shared_cache(None)
    assert warning.id == "accounts.W001"
    assert "REDIS_URL" in warning.hint
