"""allauth's flows end to end, through the real views, URLs, templates and email backend."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail

from tests.account_fixtures import PASSWORD, link_in, log_in, logged_in_user, make_student

pytestmark = pytest.mark.django_db


def sign_up(client, email, password=PASSWORD):
    return client.post(
        "/accounts/signup/",
        {"name": "Ada Lovelace", "email": email, "password1": password, "password2": password},
    )


def test_sign_up_verify_by_email_log_out_and_log_in_again(client):
    response = sign_up(client, "grace@example.com")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = get_user_model().objects.get(email="grace@example.com")
    assert user.username  # filled in by allauth; students never see or choose one
    assert logged_in_user(client) is None  # mandatory verification: not before the link

    [message] = mail.outbox
    assert message.to == ["grace@example.com"]
    assert message.subject.startswith("[Ringlet] ")
    link = link_in(message, "/accounts/confirm-email/")

    # The link shows a confirmation page; confirming is a POST (mail scanners only GET).
    page = client.get(link)
    assert page.status_code == 200
    assert b"grace@example.com" in page.content
    assert not EmailAddress.objects.get(email="grace@example.com").verified
    response = client.post(link)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="grace@example.com").verified
    # Confirming in the browser that signed up logs the student in.
    assert logged_in_user(client) == user

    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert logged_in_user(client) is None

    response = log_in(client, "grace@example.com")
    assert response.status_code == 302
    # Students land on their dashboard after logging in (LOGIN_REDIRECT_URL).
    assert response["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200
    assert logged_in_user(client) == user
    profile = client.get("/accounts/profile/")
    assert profile.status_code == 200
    assert b"grace@example.com" in profile.content
    assert b"Confirmed" in profile.content


def test_login_is_case_insensitive_on_the_email_address(client, student):
    log_in(client, "ADA@Example.COM")
    assert logged_in_user(client) == student


def test_an_unverified_student_cannot_log_in(client):
    sign_up(client, "lin@example.com")
    client.logout()
    response = log_in(client, "lin@example.com")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert logged_in_user(client) is None
    assert client.get("/accounts/profile/")["Location"].startswith("/accounts/login/")


def test_signing_up_twice_with_one_address_makes_one_account_and_tells_the_owner(client):
    make_student("ada@example.com")
    mail.outbox.clear()
    response = sign_up(client, "ada@example.com", password="another-long-password-7")
    # No "address taken" on the page (that would reveal who has an account): the owner
    # gets an email instead.
    assert response.status_code == 302
    assert get_user_model().objects.filter(email__iexact="ada@example.com").count() == 1
    [message] = mail.outbox
    assert message.to == ["ada@example.com"]


def test_sign_up_with_a_weak_password_is_refused_with_an_announced_error(client):
    response = sign_up(client, "weak@example.com", password="password")
    assert response.status_code == 200
    html = response.content.decode()
    assert "This password is too common." in html
    assert 'role="alert"' in html
    assert 'aria-invalid="true"' in html
    assert "<title>Error: " in html
    assert not get_user_model().objects.filter(email="weak@example.com").exists()


def test_a_wrong_password_is_refused(client, student):
    response = log_in(client, "ada@example.com", "not-the-password")
    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in response.content.decode()
    assert logged_in_user(client) is None


def test_password_reset_through_the_emailed_link(client, student):
    response = client.post("/accounts/password/reset/", {"email": "ada@example.com"})
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["ada@example.com"]
    link = link_in(message, "/accounts/password/reset/key/")

    # allauth moves the key out of the URL into the session, then shows the form.
    response = client.get(link, follow=True)
    assert response.status_code == 200
    set_password_url = response.redirect_chain[-1][0]
    assert set_password_url.endswith("-set-password/")
    new = "a-brand-new-passphrase-99"
    response = client.post(set_password_url, {"password1": new, "password2": new})
    assert response.status_code == 302

    client.logout()
    log_in(client, "ada@example.com", PASSWORD)
    assert logged_in_user(client) is None
    log_in(client, "ada@example.com", new)
    assert logged_in_user(client) == student

    # The link works once.
    client.logout()
    response = client.get(link, follow=True)
    assert b"The link to reset your password is not valid" in response.content


def test_password_reset_for_an_unknown_address_reveals_nothing(client, db):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"


def test_change_password_keeps_the_student_logged_in(client, student):
    log_in(client, "ada@example.com")
    new = "another-fine-passphrase-12"
    response = client.post(
        "/accounts/password/change/", {"oldpassword": PASSWORD, "password1": new, "password2": new}
    )
    assert response.status_code == 302
    assert logged_in_user(client) == student
    student.refresh_from_db()
    assert student.check_password(new)


def test_change_password_needs_the_current_one(client, student):
    log_in(client, "ada@example.com")
    new = "another-fine-passphrase-12"
    response = client.post(
        "/accounts/password/change/", {"oldpassword": "wrong", "password1": new, "password2": new}
    )
    assert response.status_code == 200
    assert "Please type your current password." in response.content.decode()
    student.refresh_from_db()
    assert student.check_password(PASSWORD)


def test_profile_page_saves_the_name_and_shows_it_in_the_header(client, student):
    log_in(client, "ada@example.com")
    response = client.post("/accounts/profile/", {"first_name": "Ada", "last_name": "Lovelace"})
    assert response.status_code == 302
    page = client.get("/accounts/profile/").content.decode()
    assert "Logged in as <strong>Ada Lovelace</strong>" in page
    assert "Your name was saved." in page


def test_pages_that_need_an_account_send_visitors_to_the_site_login_and_back(client, db):
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/profile/"


def test_account_pages_render_inside_the_site_layout(client, student):
    for url in ("/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"):
        html = client.get(url).content.decode()
        assert '<a class="skip-link" href="#main">Skip to content</a>' in html, url
        assert "css/ringlet.css" in html, url
        assert "accounts/accounts.css" in html, url
        assert '<label for="id_' in html, url
    log_in(client, "ada@example.com")
    for url in (
        "/accounts/profile/",
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/sessions/",
    ):
        html = client.get(url).content.decode()
        assert 'class="site-header"' in html, url
        assert '<nav class="account-nav" aria-label="Your account">' in html, url
        assert 'aria-current="page"' in html, url


def test_header_links_follow_the_login_state(client, student):
    from demo.home import ensure_home_page

    ensure_home_page()
    html = client.get("/").content.decode()
    assert 'href="/accounts/login/"' in html
    assert 'href="/accounts/signup/"' in html
    assert "Log out" not in html
    log_in(client, "ada@example.com")
    html = client.get("/").content.decode()
    assert 'href="/accounts/profile/">Account</a>' in html
    assert 'action="/accounts/logout/"' in html
    assert 'href="/accounts/login/"' not in html


def test_the_wagtail_admin_keeps_its_own_login_for_staff(client, db):
    get_user_model().objects.create_superuser("editor", "editor@example.com", PASSWORD)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    response = client.post("/admin/login/", {"username": "editor", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/confirm-email/",
        "/accounts/confirm-email/not-a-real-key/",
        "/accounts/password/reset/",
        "/accounts/password/reset/done/",
        "/accounts/password/reset/key/1-not-a-real-key/",
        "/accounts/password/reset/key/done/",
    ],
)
def test_every_page_a_visitor_can_reach_uses_the_site_layout(client, db, url):
    response = client.get(url, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="site-header"' in html
    assert "accounts/accounts.css" in html
    assert html.count("<h1") == 1


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/logout/",
        "/accounts/profile/",
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/password/set/",
        "/accounts/sessions/",
        "/accounts/reauthenticate/",
        "/accounts/delete/",
    ],
)
def test_every_page_a_student_can_reach_uses_the_site_layout(client, student, url):
    log_in(client, "ada@example.com")
    response = client.get(url, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="site-header"' in html
    assert "accounts/accounts.css" in html
    assert html.count("<h1") == 1
