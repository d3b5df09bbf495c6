"""Issue 11: one login policy for /accounts/login/, /admin/login/ and /django-admin/login/."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from tests.account_fixtures import PASSWORD, log_in, logged_in_user, make_student

pytestmark = pytest.mark.django_db
TOO_MANY_LOGINS = "Too many failed login attempts. Try again later."
ADMIN_LOGINS = ["/admin/login/", "/django-admin/login/"]


def admin_log_in(client, url, username, password=PASSWORD):
    return client.post(url, {"username": username, "password": password})


@pytest.mark.parametrize("url", ADMIN_LOGINS)
@pytest.mark.parametrize("identifier", ["lin@example.com", "lin"])
def test_an_unverified_account_gets_no_session_from_an_admin_login(client, url, identifier):
    make_student("lin@example.com", verified=False)
    response = admin_log_in(client, url, identifier)
    assert response.status_code == 200  # the form again, with the reason
    assert logged_in_user(client) is None
    assert client.get("/dashboard/").status_code == 302


def test_an_unverified_account_gets_no_session_from_any_login_url(client):
    user = make_student("lin@example.com", verified=False)
    log_in(client, "lin@example.com")
    for url in ADMIN_LOGINS:
        admin_log_in(client, url, "lin@example.com")
    assert logged_in_user(client) is None
    # The Wagtail admin says why.
    assert "not verified" in admin_log_in(client, "/admin/login/", "lin").content.decode()
    # Once verified, the same account logs in anywhere.
    EmailAddress.objects.filter(user=user).update(verified=True)
    admin_log_in(client, "/admin/login/", "lin@example.com")
    assert logged_in_user(client) == user


def test_a_verified_student_still_logs_in_on_the_site(client):
    student = make_student("ada@example.com")
    response = log_in(client, "ada@example.com")
    assert response["Location"] == "/dashboard/"
    assert logged_in_user(client) == student


@pytest.mark.parametrize("url", ["/admin/login/", "/django-admin/login/", "/accounts/login/"])
def test_a_superuser_without_an_email_row_logs_in_with_a_username_and_password(client, url):
    """``createsuperuser`` makes no EmailAddress row: admin users are exempt from the email rule."""
    boss = get_user_model().objects.create_superuser("boss", "boss@example.com", PASSWORD)
    assert not EmailAddress.objects.filter(user=boss).exists()
    if url == "/accounts/login/":
        log_in(client, "boss@example.com")
    else:
        assert admin_log_in(client, url, "boss").status_code == 302
    assert logged_in_user(client) == boss


def test_an_editor_in_a_wagtail_group_is_an_admin_user_too(client):
    editor = get_user_model().objects.create_user("ed", "ed@example.com", PASSWORD)
    editor.groups.add(Group.objects.get(name="Editors"))
    assert admin_log_in(client, "/admin/login/", "ed").status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("url", ADMIN_LOGINS)
def test_the_admin_login_locks_out_after_as_many_failures_as_the_site_login(client, url):
    get_user_model().objects.create_superuser("boss", "boss@example.com", PASSWORD)
    for attempt in range(5):
        response = admin_log_in(client, url, "boss", "wrong-password")
        assert TOO_MANY_LOGINS not in response.content.decode(), attempt
    response = admin_log_in(client, url, "boss")
    assert TOO_MANY_LOGINS in response.content.decode()
    assert logged_in_user(client) is None


def test_the_site_login_locks_out_after_five_failures_too(client):
    make_student("ada@example.com")
    for _ in range(5):
        assert TOO_MANY_LOGINS not in log_in(client, "ada@example.com", "wrong").content.decode()
    assert TOO_MANY_LOGINS in log_in(client, "ada@example.com").content.decode()


def test_failures_anywhere_count_against_one_account_whatever_form_or_identifier(client):
    """Two guesses on the site (by email), two on Wagtail's login (by username), one on Django's
    (email in capitals): the account is locked everywhere, from another browser too."""
    boss = get_user_model().objects.create_superuser("boss", "boss@example.com", PASSWORD)
    EmailAddress.objects.create(user=boss, email="boss@example.com", primary=True, verified=True)
    log_in(client, "boss@example.com", "wrong-1")
    log_in(client, "boss@example.com", "wrong-2")
    admin_log_in(client, "/admin/login/", "boss", "wrong-3")
    admin_log_in(client, "/admin/login/", "BOSS", "wrong-4")
    admin_log_in(client, "/django-admin/login/", "BOSS@EXAMPLE.COM", "wrong-5")
    other = Client()
    assert TOO_MANY_LOGINS in admin_log_in(other, "/admin/login/", "boss").content.decode()
    assert TOO_MANY_LOGINS in log_in(other, "boss@example.com").content.decode()
    assert logged_in_user(other) is None
    # Another account is not locked by them.
    make_student("grace@example.com")
    log_in(other, "grace@example.com")
    assert logged_in_user(other) is not None


def test_per_ip_failures_on_the_admin_login_use_the_trusted_proxy_count(client, settings):
    """Ten failures from one client address (behind the ingress) lock that address out of
    every login form; another client behind the same ingress is not affected."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    get_user_model().objects.create_superuser("boss", "boss@example.com", PASSWORD)
    noisy = {"HTTP_X_FORWARDED_FOR": "203.0.113.7", "REMOTE_ADDR": "10.0.0.2"}
    for number in range(10):
        client.post("/admin/login/", {"username": f"guess{number}", "password": "x"}, **noisy)
    refused = client.post("/admin/login/", {"username": "boss", "password": PASSWORD}, **noisy)
    assert TOO_MANY_LOGINS in refused.content.decode()
    refused = client.post("/accounts/login/", {"login": "boss@example.com", "password": PASSWORD}, **noisy)
    assert TOO_MANY_LOGINS in refused.content.decode()

    other = Client(HTTP_X_FORWARDED_FOR="198.51.100.4", REMOTE_ADDR="10.0.0.2")
    assert other.post("/admin/login/", {"username": "boss", "password": PASSWORD}).status_code == 302


def test_with_redis_down_the_lock_out_still_holds_in_each_process(client, settings):
    """The counts fall back to the web process's own cache: weaker across processes, never off."""
    from tests.processes import free_port

    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache.FailOpenRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
            "KEY_PREFIX": "down",
            "OPTIONS": {"socket_connect_timeout": 0.5},
        }
    }
    get_user_model().objects.create_superuser("boss", "boss@example.com", PASSWORD)
    for _ in range(5):
        assert TOO_MANY_LOGINS not in admin_log_in(client, "/admin/login/", "boss", "wrong").content.decode()
    assert TOO_MANY_LOGINS in admin_log_in(client, "/admin/login/", "boss").content.decode()
    assert TOO_MANY_LOGINS in log_in(client, "boss@example.com").content.decode()
    assert logged_in_user(client) is None
