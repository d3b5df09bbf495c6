"""Registering platforms: the Wagtail admin (with each platform's last launch and last grade post),
the management commands, and Dynamic Registration with the test platform."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from lti import registration
from lti.models import Deployment, Platform
from tests.lti.conftest import Flow
from tests.user_fixtures import UserFactory

pytestmark = pytest.mark.slow


@pytest.fixture
def admin_client(client, db):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    return client


def test_the_admin_lists_platforms_with_their_last_launch_and_last_grade_post(admin_client, lti_platform):
    when = timezone.make_aware(timezone.datetime(2026, 11, 3, 9, 30))
    Platform.objects.filter(pk=lti_platform.pk).update(
        last_launch_at=when,
        last_grade_post_at=when,
        last_grade_error="2026-11-03 09:31 token endpoint answered 400",
    )
    html = admin_client.get("/admin/snippets/lti/platform/").content.decode()
    assert "Test LMS" in html and "https://lms.test" in html
    assert "Last launch" in html and "Last grade post" in html and "token endpoint answered 400" in html
    assert html.count("Nov. 3, 2026") >= 2 or html.count("3 Nov 2026") >= 2 or "2026" in html


def test_an_administrator_adds_a_platform_and_its_deployments_in_the_admin(admin_client):
    response = admin_client.post(
        "/admin/snippets/lti/platform/add/",
        {
            "name": "Campus Moodle",
            "issuer": "https://moodle.example.edu",
            "client_id": "abc123",
            "is_active": "on",
            "auth_login_url": "https://moodle.example.edu/mod/lti/auth.php",
            "auth_token_url": "https://moodle.example.edu/mod/lti/token.php",
            "auth_audience": "",
            "key_set_url": "https://moodle.example.edu/mod/lti/certs.php",
            "frame_origins": "",
            "deployments-TOTAL_FORMS": "1",
            "deployments-INITIAL_FORMS": "0",
            "deployments-MIN_NUM_FORMS": "0",
            "deployments-MAX_NUM_FORMS": "1000",
            "deployments-0-deployment_id": "7",
            "deployments-0-is_active": "on",
            "deployments-0-ORDER": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    platform = Platform.objects.get(client_id="abc123")
    assert list(platform.deployments.values_list("deployment_id", flat=True)) == ["7"]


def test_a_frame_origin_that_is_not_an_origin_is_refused_in_the_admin(admin_client):
    response = admin_client.post(
        "/admin/snippets/lti/platform/add/",
        {
            "name": "Bad",
            "issuer": "https://x.test",
            "client_id": "c",
            "auth_login_url": "https://x.test/a",
            "auth_token_url": "https://x.test/t",
            "key_set_url": "https://x.test/k",
            "frame_origins": "https://x.test/some/path",
            "deployments-TOTAL_FORMS": "0",
            "deployments-INITIAL_FORMS": "0",
            "deployments-MIN_NUM_FORMS": "0",
            "deployments-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 200 and "is not an origin" in response.content.decode()
    assert not Platform.objects.filter(client_id="c").exists()


def test_the_management_command_registers_lists_and_adds_deployments(db):
    out = io.StringIO()
    call_command(
        "lti_platform",
        "add",
        "--name",
        "University Canvas",
        "--issuer",
        "https://canvas.instructure.com",
        "--client-id",
        "10000000000001",
        "--auth-login-url",
        "https://sso.canvaslms.com/api/lti/authorize_redirect",
        "--auth-token-url",
        "https://sso.canvaslms.com/login/oauth2/token",
        "--key-set-url",
        "https://sso.canvaslms.com/api/lti/security/jwks",
        "--deployment",
        "42:abc",
        "--frame-origin",
        "https://school.instructure.com",
        stdout=out,
    )
    call_command(
        "lti_platform",
        "deploy",
        "--issuer",
        "https://canvas.instructure.com",
        "--client-id",
        "10000000000001",
        "43:def",
        stdout=out,
    )
    platform = Platform.objects.get()
    assert sorted(platform.deployments.values_list("deployment_id", flat=True)) == ["42:abc", "43:def"]
    assert "https://school.instructure.com" in platform.allowed_frame_origins()
    listing = io.StringIO()
    call_command("lti_platform", "list", stdout=listing)
    assert "University Canvas" in listing.getvalue() and "42:abc, 43:def" in listing.getvalue()


def test_dynamic_registration_with_a_one_time_url(client, platform_server, lti_platform, caplog):
    out = io.StringIO()
    call_command("lti_registration_url", stdout=out)
    url = out.getvalue().strip()
    assert "/lti/register/" in url
    _, token = registration.create_invite()
    config = f"{platform_server.url}/.well-known/openid-configuration"
    flow = Flow(client, platform_server)
    page = client.get(
        f"/lti/register/{token}/",
        {"openid_configuration": config, "registration_token": "reg-token"},
        HTTP_HOST=flow.host,
    )
    assert page.status_code == 200 and "Ringlet is registered" in page.content.decode()
    platform = Platform.objects.get(client_id="dr-client")
    assert platform.issuer == platform_server.url
    assert platform.auth_login_url == f"{platform_server.url}/authorize"
    assert platform.key_set_url == f"{platform_server.url}/jwks"
    assert Deployment.objects.filter(platform=platform, deployment_id="dr-1").exists()
    sent = platform_server.received()["registration"][0]["body"]
    assert sent["initiate_login_uri"] == f"{platform_server.tool_url}/lti/login/"
    assert sent["redirect_uris"] == [f"{platform_server.tool_url}/lti/launch/"]
    assert sent["jwks_uri"] == f"{platform_server.tool_url}/lti/jwks/"
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in sent["scope"]
    # The URL works once.
    again = client.get(
        f"/lti/register/{token}/",
        {"openid_configuration": config, "registration_token": "reg-token"},
        HTTP_HOST=flow.host,
    )
    assert again.status_code == 403 and "This registration link is not valid" in again.content.decode()
