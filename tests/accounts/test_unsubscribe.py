"""One-click unsubscribe (RFC 8058): signed per user and kind, works without logging in; email settings."""

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from accounts.emails import unsubscribe_token, unsubscribe_url
from accounts.services import wants_email
from tests.account_fixtures import make_student

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(db):
    return make_student("ada@example.com")


def path(kind, token):
    return reverse("accounts_unsubscribe", args=[kind, token])


def test_one_click_post_unsubscribes_without_login_or_csrf_token(ada):
    client = Client(enforce_csrf_checks=True)  # as a mailbox provider posts: no cookies, no token
    url = unsubscribe_url(ada, "reminders")
    assert url.startswith("http://testserver/accounts/unsubscribe/reminders/")
    response = client.post(url.removeprefix("http://testserver"), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    assert not wants_email(ada, "reminders")
    assert wants_email(ada, "digest") and wants_email(ada, "enrollment")


def test_following_the_link_shows_one_button_and_changes_nothing_until_pressed(client, ada):
    response = client.get(path("digest", unsubscribe_token(ada, "digest")))
    html = response.content.decode()
    assert response.status_code == 200 and "ada@example.com" in html and ">Unsubscribe</button>" in html
    assert wants_email(ada, "digest")


def test_a_tampered_token_is_refused(client, ada):
    token = unsubscribe_token(ada, "reminders")
    for bad in (token[:-2] + "xx", "nonsense", token.replace(":", ":0", 1)):
        response = client.post(path("reminders", bad))
        assert response.status_code == 400, bad
        assert "This unsubscribe link is not valid" in response.content.decode()
    assert wants_email(ada, "reminders")


def test_a_token_cannot_be_forged_for_another_user_or_kind(client, ada):
    bob = make_student("bob@example.com")
    # Ada's reminders token does not work for the digest…
    assert client.post(path("digest", unsubscribe_token(ada, "reminders"))).status_code == 400
    # …and a token naming Bob signed without the key (or with another kind's salt) is refused.
    forged = signing.dumps(bob.pk, salt="ringlet.unsubscribe.digest", key="guessed")
    assert client.post(path("digest", forged)).status_code == 400
    other_salt = signing.dumps(bob.pk, salt="ringlet.unsubscribe.enrollment")
    assert client.post(path("digest", other_salt)).status_code == 400
    assert client.post(path("no-such-kind", unsubscribe_token(ada, "digest"))).status_code == 400
    assert wants_email(bob, "digest") and wants_email(ada, "digest")


def test_the_profile_page_shows_and_saves_email_preferences(client, ada):
    client.force_login(ada)
    html = client.get(reverse("accounts_profile")).content.decode()
    assert "Email notifications" in html and 'name="reminders" checked' in html
    response = client.post(reverse("accounts_email_preferences"), {"enrollment": "on", "certificates": "on"})
    assert response.status_code == 302
    assert not wants_email(ada, "reminders") and not wants_email(ada, "digest")
    assert wants_email(ada, "enrollment") and wants_email(ada, "certificates")
    assert 'name="reminders">' in client.get(reverse("accounts_profile")).content.decode()
