"""Liveness and readiness probes, in-process and against real (or deliberately closed) services."""

import json

import pytest

from tests.processes import child_env, free_port, run_python

POD_IP = "10.42.0.17:8000"  # what a Kubernetes probe sends as Host


def test_health_answers_any_host_without_touching_the_database(client):
    # No django_db mark: pytest-django raises if the view touches the database.
    response = client.get("/health/", HTTP_HOST=POD_IP)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_ready_reports_every_part_ok_for_any_host(client):
    response = client.get("/ready/", HTTP_HOST=POD_IP)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["checks"] == {"database": "ok", "cache": "ok", "broker": "ok"}
    assert body["failing"] == []


def test_unknown_host_is_still_refused_for_ordinary_pages(client):
    response = client.get("/", HTTP_HOST=POD_IP)
    assert response.status_code == 400


PROBE = """
import json, django
django.setup()
from django.test import Client
response = Client().get({path!r}, HTTP_HOST={host!r})
print(json.dumps({{"status": response.status_code, "body": response.json()}}))
"""


def probe(path, **env_overrides):
    result = run_python(PROBE.format(path=path, host=POD_IP), child_env(**env_overrides), timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.django_db
def test_ready_stays_200_but_reports_the_cache_when_redis_is_down():
    """Every pod shares the one Redis: failing readiness on it would take them all out at once,
    though pages keep working without it (the cache fails open)."""
    closed = free_port()
    answer = probe("/ready/", REDIS_URL=f"redis://127.0.0.1:{closed}/0")
    assert answer["status"] == 200
    assert answer["body"]["status"] == "degraded"
    assert answer["body"]["failing"] == ["cache"]
    assert answer["body"]["checks"]["cache"] == "error: ConnectionError"
    assert str(closed) not in json.dumps(answer["body"])


@pytest.mark.django_db
def test_ready_stays_200_but_reports_the_broker_when_it_is_down():
    closed = free_port()
    answer = probe("/ready/", CELERY_BROKER_URL=f"redis://127.0.0.1:{closed}/1")
    assert answer["status"] == 200
    assert answer["body"]["status"] == "degraded"
    assert answer["body"]["failing"] == ["broker"]
    assert str(closed) not in json.dumps(answer["body"])


def test_ready_answers_503_naming_the_database_when_it_is_down_without_its_address():
    closed = free_port()
    answer = probe("/ready/", DATABASE_URL=f"postgres://postgres@127.0.0.1:{closed}/ringlet")
    assert answer["status"] == 503
    assert answer["body"]["status"] == "unavailable"
    assert answer["body"]["failing"] == ["database"]
    body = json.dumps(answer["body"])
    assert str(closed) not in body and "127.0.0.1" not in body


PROXY_HEADERS = {
    "HTTP_X_FORWARDED_FOR": "203.0.113.9",
    "HTTP_FORWARDED": "for=203.0.113.9",
    "HTTP_X_REAL_IP": "203.0.113.9",
    "HTTP_X_FORWARDED_HOST": "learn.example.com",
    "HTTP_X_FORWARDED_PROTO": "https",
    "HTTP_VIA": "1.1 proxy.example",
    "HTTP_CF_CONNECTING_IP": "203.0.113.9",
}


@pytest.mark.parametrize("header", PROXY_HEADERS)
def test_ready_refuses_requests_that_came_through_any_proxy(client, header):
    # No django_db mark: the refusal touches no backing service.
    response = client.get("/ready/", HTTP_HOST="learn.example.com", **{header: PROXY_HEADERS[header]})
    assert response.status_code == 404
    assert "checks" not in response.json()


def test_health_answers_plain_http_probes_under_production_settings():
    # SECURE_SSL_REDIRECT is on in production; a redirect would fail the probe.
    closed = free_port()
    answer = probe(
        "/health/",
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="learn.example.com",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{closed}/ringlet",
    )
    assert answer == {"status": 200, "body": {"status": "ok"}}
