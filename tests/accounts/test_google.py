"""Google sign-in exists exactly when GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET are set.

The variables decide INSTALLED_APPS at start-up, so each state runs in its own process
with its own environment, against the test database, through the real views.
"""

import json

import pytest

from tests.processes import child_env, run_python

LOGIN_PAGE_AND_GOOGLE_START = """
import json
import django
django.setup()
from django.conf import settings
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client()
login = client.get("/accounts/login/")
start = client.post("/accounts/google/login/?process=login")
print(json.dumps({
    "installed": "allauth.socialaccount.providers.google" in settings.INSTALLED_APPS,
    "login_status": login.status_code,
    "login_page": login.content.decode(),
    "start_status": start.status_code,
    "start_location": start.get("Location", ""),
}))
"""


@pytest.fixture
def test_db_env(django_db_setup, django_db_blocker):
    def make(**overrides):
        with django_db_blocker.unblock():
            return child_env(**overrides)

    return make


def login_page_in_a_process(env):
    result = run_python(LOGIN_PAGE_AND_GOOGLE_START, env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_with_both_variables_the_login_page_offers_google_and_starts_its_oauth_flow(test_db_env):
    seen = login_page_in_a_process(
        test_db_env(GOOGLE_CLIENT_ID="1234-abc.apps.googleusercontent.com", GOOGLE_CLIENT_SECRET="s3cret")
    )
    assert seen["installed"] is True
    assert seen["login_status"] == 200
    assert "Continue with Google" in seen["login_page"]
    assert 'href="/accounts/google/login/?process=login"' in seen["login_page"]
    # The button leads to Google with our client id and PKCE; no admin step was needed.
    assert seen["start_status"] == 302
    location = seen["start_location"]
    assert location.startswith("https://accounts.google.com/o/oauth2/v2/auth?")
    assert "client_id=1234-abc.apps.googleusercontent.com" in location
    assert "redirect_uri=http%3A%2F%2Ftestserver%2Faccounts%2Fgoogle%2Flogin%2Fcallback%2F" in location
    assert "code_challenge=" in location
    assert "s3cret" not in location


def test_without_the_variables_there_is_no_google_at_all(test_db_env):
    seen = login_page_in_a_process(test_db_env(GOOGLE_CLIENT_ID=None, GOOGLE_CLIENT_SECRET=None))
    assert seen["installed"] is False
    assert seen["login_status"] == 200
    assert "Google" not in seen["login_page"]
    assert "/accounts/google/" not in seen["login_page"]
    assert seen["start_status"] == 404


@pytest.mark.parametrize("only", ["GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET"])
def test_setting_only_one_of_the_two_stops_start_up_with_a_clear_error(only, test_db_env):
    other = {"GOOGLE_CLIENT_ID": "GOOGLE_CLIENT_SECRET", "GOOGLE_CLIENT_SECRET": "GOOGLE_CLIENT_ID"}[only]
    result = run_python(LOGIN_PAGE_AND_GOOGLE_START, test_db_env(**{only: "value", other: None}))
    assert result.returncode != 0
    assert "Set both GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET, or neither." in result.stderr


@pytest.mark.parametrize("google", [False, True])
@pytest.mark.parametrize("module", ["portal.settings.dev", "portal.settings.production"])
def test_start_up_raises_no_warnings_and_no_system_check_findings(module, google, test_db_env):
    env = test_db_env(
        DJANGO_SETTINGS_MODULE=module,
        SECRET_KEY="a-long-random-secret-for-tests-only-0123456789abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS="learn.example.com",
        GOOGLE_CLIENT_ID="id.apps.googleusercontent.com" if google else None,
        GOOGLE_CLIENT_SECRET="secret" if google else None,
        PYTHONWARNINGS="error",
    )
    result = run_python(
        "from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--fail-level', 'WARNING'])",
        env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
