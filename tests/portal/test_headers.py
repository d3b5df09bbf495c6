"""Security headers on every response: the CSP (strict on the site, its own in the admins) and
``Cache-Control: private`` on what was built for a logged-in user."""

import pytest
from django.contrib.auth import get_user_model

from tests.account_fixtures import make_student

pytestmark = pytest.mark.django_db


def directives(response):
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split("; ")}


def test_site_pages_forbid_inline_script_and_allow_the_players_blobs(client):
    policy = directives(client.get("/accounts/login/"))
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert "blob:" in policy["media-src"] and "blob:" in policy["worker-src"]
    assert policy["frame-ancestors"] == ["'self'"]
    assert policy["base-uri"] == ["'self'"]


def test_site_pages_allow_pdfjs_from_here_and_no_plugins(client):
    policy = directives(client.get("/accounts/login/"))
    # pdf.js: a module script imported from /static/, its module worker, and its fetches.
    assert "'self'" in policy["worker-src"] and policy["connect-src"][0] == "'self'"
    assert policy["object-src"] == ["'none'"]
    assert "'unsafe-eval'" not in policy["script-src"] and "'wasm-unsafe-eval'" not in policy["script-src"]


def test_the_admin_login_has_the_admin_policy(client):
    policy = directives(client.get("/admin/login/"))
    assert "'unsafe-inline'" in policy["script-src"]
    assert policy["frame-ancestors"] == ["'self'"]
    assert "Content-Security-Policy" in client.get("/django-admin/login/")


def test_non_html_responses_carry_no_policy(client):
    assert "Content-Security-Policy" not in client.get("/health/")
    assert "Content-Security-Policy" not in client.get("/api/courses/")


def test_pages_for_a_logged_in_user_are_private_and_anonymous_ones_are_not(client):
    from demo.home import ensure_home_page

    ensure_home_page()
    anonymous = client.get("/")
    assert anonymous.status_code == 200
    assert "private" not in anonymous.get("Cache-Control", "")
    client.force_login(make_student())
    for url in ("/", "/accounts/profile/", "/dashboard/"):
        assert "private" in client.get(url)["Cache-Control"], url


def test_a_logged_in_admin_page_is_private_too(client):
    client.force_login(get_user_model().objects.create_superuser("boss", "b@example.com", "pw"))
    assert "private" in client.get("/admin/")["Cache-Control"]


def test_the_policy_built_once_is_the_one_django_csp_builds_and_follows_a_settings_change(client, settings):
    """portal/csp.py keeps each policy's header instead of rebuilding it on every response: it is
    django-csp's own string, and a new policy (here a changed setting) is built anew, never stale."""
    from csp.utils import build_policy

    first = client.get("/accounts/login/")["Content-Security-Policy"]
    assert client.get("/accounts/login/")["Content-Security-Policy"] == first == build_policy()
    admin = client.get("/admin/login/")["Content-Security-Policy"]
    assert admin == build_policy(settings.CSP_ADMIN_DIRECTIVES) != first
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {
            **settings.CONTENT_SECURITY_POLICY["DIRECTIVES"],
            "img-src": ["'self'", "https://cdn.test"],
        }
    }
    changed = directives(client.get("/accounts/login/"))
    assert changed["img-src"] == ["'self'", "https://cdn.test"]
