"""The LTI tests' platform: Open edX's lti-consumer-xblock in a process and venv of its own
(tests/lti/platform_server.py, var/lti-platform-venv made by scripts/lti-platform-venv.sh),
serving its JWKS, authentication, token, AGS and NRPS endpoints on 127.0.0.1."""

import subprocess
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.processes import BASE_DIR, Process, free_port, wait_for

ISSUER = "https://lms.test"
CLIENT_ID = "ringlet-client"
DEPLOYMENT_ID = "1"
VENV_PYTHON = BASE_DIR / "var" / "lti-platform-venv" / "bin" / "python"


class PlatformServer:
    def __init__(self, process, url, tool_url):
        self.process = process
        self.url = url
        self.tool_url = tool_url

    def control(self, path, payload=None):
        response = requests.post(f"{self.url}/_control/{path}", json=payload or {}, timeout=30)
        response.raise_for_status()
        return response.json()

    def login_url(self, **scenario):
        """The login initiation URL the platform sends a browser to for ``scenario``."""
        return self.control("launch", scenario)["login_url"]

    def authorize(self, auth_url):
        """What the platform answers the tool's authentication redirect: state, id_token, redirect_uri."""
        response = requests.get(auth_url, headers={"Accept": "application/json"}, timeout=30)
        response.raise_for_status()
        return response.json()

    def received(self):
        return requests.get(f"{self.url}/_control/received", timeout=30).json()

    def set_members(self, context_id, members):
        return self.control(f"members/{context_id}", members)


@pytest.fixture(scope="session")
def platform_server(live_server, tmp_path_factory):
    """The platform process for the session (its venv is made on first use)."""
    subprocess.run([str(BASE_DIR / "scripts" / "lti-platform-venv.sh")], check=True, cwd=BASE_DIR)
    port = free_port()
    log = tmp_path_factory.mktemp("lti-platform") / "platform.log"
    process = Process(
        [
            str(VENV_PYTHON),
            str(BASE_DIR / "tests" / "lti" / "platform_server.py"),
            str(port),
            ISSUER,
            CLIENT_ID,
            DEPLOYMENT_ID,
            live_server.url,
        ],
        env={"PATH": "/usr/bin:/bin", "PYTHONUNBUFFERED": "1"},
        log_path=log,
    )
    url = f"http://127.0.0.1:{port}"

    def answers():
        try:
            return requests.get(f"{url}/jwks", timeout=1).ok
        except requests.RequestException:
            return process.popen.poll() is None and False

    try:
        wait_for(answers, timeout=60, message=f"the LTI platform on port {port}")
    except AssertionError:
        process.stop()
        raise AssertionError(f"the LTI platform did not start:\n{process.output()}") from None
    yield PlatformServer(process, url, live_server.url)
    process.stop()


@pytest.fixture
def lti_platform(db, platform_server):
    """The platform registered in Ringlet (issuer, client id, endpoints, deployment 1)."""
    from django.core.cache import cache

    from lti import platform_keys
    from lti.models import Deployment, Platform

    # The platform's keys cached by an earlier test name keys that no longer exist (its server
    # is reset below); access tokens are cached per platform row, new in every test.
    cache.delete(platform_keys._cache_key(f"{platform_server.url}/jwks"))
    platform_server.control("reset")
    platform = Platform.objects.create(
        name="Test LMS",
        issuer=ISSUER,
        client_id=CLIENT_ID,
        auth_login_url=f"{platform_server.url}/authorize",
        auth_token_url=f"{platform_server.url}/token",
        key_set_url=f"{platform_server.url}/jwks",
    )
    Deployment.objects.create(platform=platform, deployment_id=DEPLOYMENT_ID)
    return platform


def tool_host(platform_server):
    return urlsplit(platform_server.tool_url).netloc


def path_of(url):
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


class Flow:
    """One launch driven by the Django test client against the platform process."""

    def __init__(self, client, platform_server):
        self.client = client
        self.platform = platform_server
        self.host = tool_host(platform_server)

    def login(self, login_url):
        return self.client.get(path_of(login_url), HTTP_HOST=self.host)

    def start(self, **scenario):
        """Login initiation and the platform's answer: ``(login response, answer)``."""
        response = self.login(self.platform.login_url(**scenario))
        assert response.status_code == 302, response.content.decode()[:500]
        return response, self.platform.authorize(response["Location"])

    def post_launch(self, answer):
        return self.client.post(
            "/lti/launch/", {"state": answer["state"], "id_token": answer["id_token"]}, HTTP_HOST=self.host
        )

    def launch(self, **scenario):
        _, answer = self.start(**scenario)
        return self.post_launch(answer), answer


@pytest.fixture
def flow(client, platform_server, lti_platform):
    return Flow(client, platform_server)


def query_of(url):
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
