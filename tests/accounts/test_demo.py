"""The demo student that `make run` creates can log in on the site straight away."""

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command

from demo.students import ensure_student
from tests.account_fixtures import log_in, logged_in_user

pytestmark = pytest.mark.django_db


def test_ensure_student_is_idempotent_and_the_student_can_log_in(client):
    first = ensure_student("demo-password-123")
    again = ensure_student("demo-password-456")
    assert first.pk == again.pk
    assert EmailAddress.objects.filter(user=first, verified=True, primary=True).count() == 1
    log_in(client, "student@example.com", "demo-password-456")
    assert logged_in_user(client) == first


def test_demo_content_prints_the_student_login(capsys, settings):
    settings.DEMO_ADMIN_PASSWORD = "a-demo-password-0"
    settings.WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8000"  # make run's default address
    call_command("demo_content")
    out = capsys.readouterr().out
    assert "Student: http://127.0.0.1:8000/accounts/login/" in out
    assert "email: student@example.com" in out
