"""Login initiation, the launch and its refusals, against lti-consumer-xblock's platform."""

import logging

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.urls import URLPattern, get_resolver

from courses.models import Enrollment
from lti.launch import state_cookie_name
from lti.models import Identity, Membership, Platform, UsedNonce
from tests.account_fixtures import log_in, logged_in_user, make_student
from tests.lti.conftest import ISSUER, query_of
from tests.page_fixtures import lessons_of

pytestmark = pytest.mark.slow


def test_login_initiation_redirects_to_the_platform_with_state_nonce_and_a_third_party_state_cookie(flow):
    login_url = flow.platform.login_url(role="student")
    response = flow.login(login_url)
    assert response.status_code == 302
    query = query_of(response["Location"])
    assert response["Location"].startswith(f"{flow.platform.url}/authorize?")
    assert query["response_type"] == "id_token" and query["response_mode"] == "form_post"
    assert query["scope"] == "openid" and query["prompt"] == "none" and query["client_id"] == "ringlet-client"
    assert query["redirect_uri"] == f"{flow.platform.tool_url}/lti/launch/"
    assert (
        query["login_hint"] == "u1" and query["lti_message_hint"] == query_of(login_url)["lti_message_hint"]
    )
    assert len(query["nonce"]) >= 32 and query["state"]
    cookie = next(morsel for name, morsel in response.cookies.items() if name.startswith("lti_state_"))
    header = cookie.OutputString()
    assert "Secure" in header and "SameSite=None; Partitioned" in header and "HttpOnly" in header


def test_a_learner_launch_creates_an_account_linked_to_sub_enrolls_and_lands_on_the_course(flow, course):
    response, _ = flow.launch(
        user_id="learner-7",
        role="student",
        name="Grace Hopper",
        email="grace@example.edu",
        custom={"ringlet_page_id": str(course.pk)},
    )
    assert response.status_code == 302 and response["Location"] == course.url
    identity = Identity.objects.get(issuer=ISSUER, sub="learner-7")
    user = identity.user
    assert logged_in_user(flow.client) == user
    assert (user.first_name, user.last_name, user.email) == ("Grace", "Hopper", "grace@example.edu")
    assert not user.has_usable_password()
    assert Enrollment.objects.filter(user=user, course=course).exists()
    membership = Membership.objects.get(user=user)
    assert not membership.is_instructor and membership.context.context_id == "ctx-1"
    assert membership.context.lineitems_url.endswith("/lineitems/ctx-1")
    assert membership.context.memberships_url.endswith("/memberships/ctx-1")
    assert Platform.objects.get().last_launch_at is not None
    # The course page renders inside the platform's frame for this session.
    page = flow.client.get(course.url, HTTP_HOST=flow.host)
    assert page.status_code == 200
    assert "X-Frame-Options" not in page.headers
    assert f"frame-ancestors 'self' {flow.platform.url}" in page["Content-Security-Policy"]
    for cookie in (response.cookies["sessionid"], response.cookies["csrftoken"]):
        assert "SameSite=None; Partitioned" in cookie.OutputString() and "Secure" in cookie.OutputString()


def test_a_second_launch_of_the_same_sub_opens_the_same_account(flow, course):
    flow.launch(user_id="same", role="student", custom={"ringlet_page_id": str(course.pk)})
    flow.client.logout()
    flow.launch(user_id="same", role="student", custom={"ringlet_page_id": str(course.pk)})
    assert Identity.objects.filter(sub="same").count() == 1
    assert get_user_model().objects.filter(lti_identities__sub="same").count() == 1


def test_an_existing_account_with_the_same_email_is_never_taken_over(flow, course):
    owner = make_student(email="ada@example.edu")
    flow.launch(
        user_id="ada-at-lms",
        role="student",
        email="ada@example.edu",
        custom={"ringlet_page_id": str(course.pk)},
    )
    linked = Identity.objects.get(sub="ada-at-lms").user
    assert linked != owner and linked.email == ""
    assert logged_in_user(flow.client) == linked
    assert list(
        EmailAddress.objects.filter(email__iexact="ada@example.edu").values_list("user", flat=True)
    ) == [owner.pk]


def test_an_lti_account_cannot_log_in_with_a_password_until_it_sets_one(flow, course, fresh_rate_limits):
    flow.launch(
        user_id="pw", role="student", email="pw@example.edu", custom={"ringlet_page_id": str(course.pk)}
    )
    user = Identity.objects.get(sub="pw").user
    # Setting a password is the account's own choice, from its LTI session.
    response = flow.client.post(
        "/accounts/password/set/",
        {"password1": "a-long-new-password-42", "password2": "a-long-new-password-42"},
        HTTP_HOST=flow.host,
    )
    assert response.status_code == 302, response.content.decode()[:400]
    flow.client.logout()
    user.refresh_from_db()
    assert user.has_usable_password()
    # As for every account, a verified address and then the password let them in.
    EmailAddress.objects.filter(user=user).update(verified=True)
    log_in(flow.client, "pw@example.edu", "a-long-new-password-42")
    assert logged_in_user(flow.client) == user


def test_without_a_password_the_login_form_refuses_an_lti_account(flow, course, client, fresh_rate_limits):
    flow.launch(
        user_id="nopw", role="student", email="nopw@example.edu", custom={"ringlet_page_id": str(course.pk)}
    )
    EmailAddress.objects.filter(email="nopw@example.edu").update(verified=True)
    flow.client.logout()
    for guess in ("", "password", "!"):
        client.post("/accounts/login/", {"login": "nopw@example.edu", "password": guess or "x"})
        assert logged_in_user(client) is None


def test_an_instructor_launch_gets_the_instructors_view_and_reads_every_lesson_without_enrolling(
    flow, course
):
    lesson = lessons_of(course)[-1].specific
    lesson.opens_after_days = 30
    lesson.save_revision().publish()
    response, _ = flow.launch(
        user_id="teacher", role="instructor", custom={"ringlet_page_id": str(course.pk)}
    )
    membership = Membership.objects.get(user__lti_identities__sub="teacher")
    assert membership.is_instructor
    assert response["Location"] == f"/lti/contexts/{membership.context.pk}/?page={course.pk}"
    page = flow.client.get(response["Location"], HTTP_HOST=flow.host)
    assert page.status_code == 200 and "Sync the roster" in page.content.decode()
    assert not Enrollment.objects.filter(user=membership.user).exists()
    assert flow.client.get(lesson.url, HTTP_HOST=flow.host).status_code == 200
    # A learner of the same platform course does not get that page.
    flow.client.logout()
    flow.launch(user_id="pupil", role="student", custom={"ringlet_page_id": str(course.pk)})
    assert flow.client.get(f"/lti/contexts/{membership.context.pk}/", HTTP_HOST=flow.host).status_code == 403


def test_a_learner_is_enrolled_in_a_full_course_whose_window_is_closed_the_platform_decides_those(
    flow, course
):
    from django.utils import timezone

    course.capacity = 0
    course.enrollment_closes_at = timezone.now() - timezone.timedelta(days=1)
    course.save_revision().publish()
    response, _ = flow.launch(user_id="late", role="student", custom={"ringlet_page_id": str(course.pk)})
    assert response.status_code == 302
    assert Enrollment.objects.filter(user__lti_identities__sub="late", course=course).exists()


def test_a_learner_missing_a_prerequisite_gets_a_page_saying_so(flow, course, build_course):
    first = build_course("Prerequisite course", modules=1, per_module=1)
    course.prerequisites.add(first)
    course.save_revision().publish()
    response, _ = flow.launch(user_id="early", role="student", custom={"ringlet_page_id": str(course.pk)})
    assert response.status_code == 403
    assert "Prerequisite course" in response.content.decode()


def test_the_new_window_fallback_when_the_frame_kept_no_cookie(flow, course):
    login, answer = flow.start(user_id="nocookie", role="student", custom={"ringlet_page_id": str(course.pk)})
    for name in [name for name in flow.client.cookies if name.startswith("lti_state_")]:
        del flow.client.cookies[name]
    response = flow.post_launch(answer)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Open in a new window" in html and 'target="_blank"' in html
    assert not Identity.objects.filter(sub="nocookie").exists()
    assert f"frame-ancestors 'self' {flow.platform.url}" in response["Content-Security-Policy"]
    # The new window starts the same launch again, first-party: it works.
    restart = response.context["login_url"]
    assert query_of(restart)["lti_message_hint"] == query_of(login["Location"])["lti_message_hint"]
    again = flow.login(restart)
    answer = flow.platform.authorize(again["Location"])
    landed = flow.post_launch(answer)
    assert landed.status_code == 302 and landed["Location"] == course.url


# --- Refusals: each a clear page and a log line -------------------------------------------


def refused(response, caplog, title, status=403):
    html = response.content.decode()
    assert response.status_code == status, html[:500]
    assert title in html
    assert any(
        record.levelno == logging.WARNING and "LTI refused" in record.getMessage()
        for record in caplog.records
    )
    return html


def test_a_replayed_id_token_is_refused(flow, course, caplog):
    first, answer = flow.launch(user_id="r", role="student", custom={"ringlet_page_id": str(course.pk)})
    assert first.status_code == 302
    # The same state and token again, state cookie and all.
    flow.client.cookies[state_cookie_name(answer["state"])] = "1"
    html = refused(flow.post_launch(answer), caplog, "This launch was used already")
    assert "open the link again" in html
    assert UsedNonce.objects.count() == 1


def test_a_token_with_the_nonce_of_another_login_is_refused(flow, course, caplog):
    _, first = flow.start(user_id="n1", role="student")
    _, second = flow.start(user_id="n2", role="student")
    mixed = {"state": second["state"], "id_token": first["id_token"]}
    refused(flow.post_launch(mixed), caplog, "The launch does not match its login")


def test_an_unknown_issuer_is_refused_at_login(flow, caplog):
    url = flow.platform.login_url(role="student", login_overrides={"iss": "https://unknown.test"})
    refused(flow.login(url), caplog, "This platform is not registered")


def test_a_token_from_an_unknown_issuer_is_refused(flow, caplog):
    response, _ = flow.launch(role="student", tamper={"iss": "https://unknown.test"})
    refused(response, caplog, "This platform is not registered")


def test_an_unregistered_deployment_is_refused_at_login_and_at_launch(flow, caplog):
    url = flow.platform.login_url(role="student", login_overrides={"lti_deployment_id": "99"})
    refused(flow.login(url), caplog, "This deployment is not registered")
    response, _ = flow.launch(role="student", tamper={"deployment_id": "99"})
    html = refused(response, caplog, "This deployment is not registered")
    assert "“99”" in html


def test_a_token_for_another_audience_is_refused(flow, caplog):
    response, _ = flow.launch(role="student", tamper={"aud": "another-tool", "azp": "another-tool"})
    refused(response, caplog, "The launch is meant for another tool")


def test_a_token_whose_azp_is_another_client_is_refused(flow, caplog):
    response, _ = flow.launch(role="student", tamper={"azp": "another-tool"})
    refused(response, caplog, "The launch is meant for another tool")


def test_an_expired_token_is_refused(flow, caplog):
    response, _ = flow.launch(role="student", tamper={"exp_offset": -120})
    refused(response, caplog, "The launch has expired")


def test_a_token_signed_by_another_key_is_refused(flow, caplog):
    response, _ = flow.launch(role="student", tamper={"rogue_key": True})
    refused(response, caplog, "The launch&#x27;s signature is not valid")
    assert not Identity.objects.exists()


def test_a_forged_state_is_refused(flow, caplog):
    _, answer = flow.start(role="student")
    response = flow.post_launch({**answer, "state": answer["state"][:-4] + "AAAA"})
    refused(response, caplog, "The launch could not be checked", status=400)


def test_platform_key_rotation_is_followed(flow, course, settings):
    settings.LTI_PLATFORM_JWKS_REFETCH_SECONDS = 0
    first, _ = flow.launch(user_id="rot", role="student", custom={"ringlet_page_id": str(course.pk)})
    assert first.status_code == 302
    flow.platform.control("rotate")
    flow.client.logout()
    second, _ = flow.launch(user_id="rot", role="student", custom={"ringlet_page_id": str(course.pk)})
    assert second.status_code == 302


def test_a_made_up_kid_does_not_fetch_the_platforms_keys_again_within_the_refetch_interval(
    flow, course, settings
):
    from lti import platform_keys

    settings.LTI_PLATFORM_JWKS_REFETCH_SECONDS = 60
    fetched = []
    original = platform_keys.fetch
    platform_keys.fetch = lambda url: fetched.append(url) or original(url)
    try:
        assert flow.launch(role="student", custom={"ringlet_page_id": str(course.pk)})[0].status_code == 302
        flow.platform.control("rotate")  # the next tokens name a kid the cached JWKS lacks
        assert flow.launch(role="student")[0].status_code == 403
        assert flow.launch(role="student")[0].status_code == 403
    finally:
        platform_keys.fetch = original
    # Fetched once: unknown kids within the interval do not make Ringlet ask the platform again.
    assert len(fetched) == 1


def test_only_the_login_and_launch_endpoints_are_csrf_exempt():
    exempt = []

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                if getattr(pattern.callback, "csrf_exempt", False):
                    exempt.append(prefix + str(pattern.pattern))
            else:
                walk(pattern.url_patterns, prefix + str(pattern.pattern))

    walk(get_resolver().url_patterns)
    lti = sorted(path for path in exempt if path.startswith("lti/"))
    assert lti == ["lti/launch/", "lti/login/"]


def test_the_picker_and_roster_sync_take_the_csrf_check(flow, course):
    from django.test import Client

    flow.launch(user_id="t", role="instructor", custom={"ringlet_page_id": str(course.pk)})
    checked = Client(enforce_csrf_checks=True)
    checked.cookies = flow.client.cookies
    context = Membership.objects.get().context
    assert checked.post(f"/lti/contexts/{context.pk}/sync/", HTTP_HOST=flow.host).status_code == 403
    assert (
        checked.post("/lti/deep-linking/", {"item": f"course:{course.pk}"}, HTTP_HOST=flow.host).status_code
        == 403
    )


def test_the_tool_jwks_publishes_the_current_and_recently_retired_keys(client, db):
    from django.core.management import call_command

    first = client.get("/lti/jwks/").json()["keys"]
    call_command("lti_rotate_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115
    second = client.get("/lti/jwks/").json()["keys"]
    assert len(first) == 1 and len(second) == 2
    assert {key["kid"] for key in first} < {key["kid"] for key in second}
    assert all(
        key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig" and "d" not in key
        for key in second
    )


def test_used_nonces_are_purged_once_their_tokens_have_expired(db):
    from datetime import timedelta

    from django.utils import timezone

    from lti.tasks import purge_used_nonces

    now = timezone.now()
    UsedNonce.objects.create(issuer=ISSUER, nonce="old", expires_at=now - timedelta(minutes=1))
    UsedNonce.objects.create(issuer=ISSUER, nonce="live", expires_at=now + timedelta(minutes=10))
    assert purge_used_nonces.apply().get() == 1
    assert list(UsedNonce.objects.values_list("nonce", flat=True)) == ["live"]


def test_a_learner_launch_of_a_link_that_points_at_no_page_gets_a_page_saying_so(flow, caplog):
    response, _ = flow.launch(
        user_id="lost", role="student", target_link_uri=f"{flow.platform.tool_url}/no/such/page/"
    )
    html = refused(response, caplog, "This link is not set up", status=404)
    assert "Tell your instructor" in html


def test_a_login_whose_target_is_another_site_is_refused(flow, caplog):
    url = flow.platform.login_url(role="student", login_overrides={"target_link_uri": "https://evil.test/"})
    refused(flow.login(url), caplog, "The link points elsewhere", status=400)
