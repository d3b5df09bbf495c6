"""Verification per environment: optional (but sent, to the console) in dev, mandatory in production."""

import json

import pytest
from django.core import mail

from tests.account_fixtures import log_in, make_student
from tests.processes import child_env, run_python

SIGN_UP_IN_DEV = """
import json
import django
django.setup()
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.test.utils import setup_test_environment
dev_email_backend = settings.EMAIL_BACKEND
setup_test_environment()  # lets the test client in (ALLOWED_HOSTS), and swaps in locmem email...
settings.EMAIL_BACKEND = dev_email_backend  # ...so put back what dev.py chose
client = Client()
password = "correct-horse-battery-staple-42"
form = {"name": "Dev Eloper", "email": "dev@example.com", "password1": password, "password2": password}
response = client.post("/accounts/signup/", form)
print(json.dumps({
    "verification": settings.ACCOUNT_EMAIL_VERIFICATION,
    "email_backend": settings.EMAIL_BACKEND,
    "status": response.status_code,
    "location": response.get("Location", ""),
    "logged_in": "_auth_user_id" in client.session,
}))
get_user_model().objects.filter(email="dev@example.com").delete()
"""


def test_in_dev_a_new_student_is_logged_in_at_once_and_the_email_goes_to_the_console(
    django_db_setup, django_db_blocker
):
    with django_db_blocker.unblock():
        env = child_env(DJANGO_SETTINGS_MODULE="portal.settings.dev", EMAIL_URL=None)
    result = run_python(SIGN_UP_IN_DEV, env)
    assert result.returncode == 0, result.stderr
    *console, last = result.stdout.strip().splitlines()
    seen = json.loads(last)
    assert seen["verification"] == "optional"
    assert seen["email_backend"] == "django.core.mail.backends.console.EmailBackend"
    assert seen["status"] == 302
    assert seen["logged_in"] is True
    console = "\n".join(console)
    assert "To: dev@example.com" in console
    assert "Subject: [Ringlet] Confirm your email address" in console
    assert "http://testserver/accounts/confirm-email/" in console


def test_dev_reads_console_email_by_default_and_production_mandates_https_links(
    django_db_setup, django_db_blocker
):
    with django_db_blocker.unblock():
        env = child_env(
            EMAIL_URL=None,
            DJANGO_SETTINGS_MODULE="portal.settings.production",
            SECRET_KEY="a-long-random-secret-for-tests-only-0123456789abcdefghijklmnopqrstuvwxyz",
            ALLOWED_HOSTS="learn.example.com",
        )
    show = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.ACCOUNT_EMAIL_VERIFICATION, s.ACCOUNT_DEFAULT_HTTP_PROTOCOL, s.EMAIL_BACKEND]))"
    )
    result = run_python(show, env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["mandatory", "https", "django.core.mail.backends.smtp.EmailBackend"]
    result = run_python(
        show.replace("s.ACCOUNT_DEFAULT_HTTP_PROTOCOL", "'-'"),
        {**env, "DJANGO_SETTINGS_MODULE": "portal.settings.dev"},
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["optional", "-", "django.core.mail.backends.console.EmailBackend"]


@pytest.mark.django_db
def test_adding_a_second_address_sends_it_a_verification_link(client):
    make_student("ada@example.com")
    log_in(client, "ada@example.com")
    mail.outbox.clear()
    response = client.post("/accounts/email/", {"action_add": "", "email": "ada@work.example.com"})
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["ada@work.example.com"]
    page = client.get("/accounts/profile/").content.decode()
    assert "ada@work.example.com" in page
    assert "Not confirmed" in page
