"""Production logs are one JSON object per line, carrying the request id and user id."""

import json

import pytest

from tests.processes import child_env, run_python

REQUEST_AS_USER = """
import django
django.setup()
from django.contrib.auth import get_user_model
from django.test import Client
user = get_user_model().objects.create_user("logged", password="x")
client = Client(enforce_csrf_checks=True)
client.force_login(user)
print("USER", user.pk, flush=True)
# A forged POST: refused by CSRF protection, which logs a warning.
client.post("/admin/login/", HTTP_HOST="learn.example.com", secure=True, headers={"X-Request-ID": "req-4242"})
"""


@pytest.mark.django_db(transaction=True)
def test_production_logs_are_json_lines_with_request_and_user_ids():
    env = child_env(
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="learn.example.com",
        LOG_FORMAT=None,
    )
    result = run_python(REQUEST_AS_USER, env)
    assert result.returncode == 0, result.stderr
    user_id = int(result.stdout.split("USER", 1)[1].split()[0])

    records = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    refused = [r for r in records if r["logger"] == "django.security.csrf"]
    assert refused, result.stderr
    record = refused[0]
    assert record["level"] == "WARNING"
    assert record["message"].startswith("Forbidden (")
    assert record["request_id"] == "req-4242"
    assert record["user_id"] == user_id
    assert all(line.startswith("{") for line in result.stderr.splitlines() if line.strip())


def test_every_response_carries_a_request_id_and_a_forged_one_is_replaced(client, db):
    given = client.get("/accounts/login/", headers={"X-Request-ID": "edge-0f3a"})
    assert given["X-Request-ID"] == "edge-0f3a"
    fresh = client.get("/accounts/login/")
    assert len(fresh["X-Request-ID"]) == 32 and fresh["X-Request-ID"] != given["X-Request-ID"]
    # A header that is not a plain token (a log-injection attempt) never reaches the logs.
    forged = client.get("/accounts/login/", headers={"X-Request-ID": "x\n2026 INFO forged line"})
    assert "\n" not in forged["X-Request-ID"] and len(forged["X-Request-ID"]) == 32
    assert "X-Request-ID" not in client.get("/health/")
