"""Account deletion: POST with CSRF and a confirmation; removes the user and their personal data."""

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialToken
from allauth.usersessions.models import UserSession
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.cached_db import SessionStore
from django.contrib.sessions.models import Session
from django.test import Client

from tests.account_fixtures import PASSWORD, log_in, logged_in_user, make_student

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_deleting_an_account_removes_the_user_their_data_and_every_session(client, student):
    EmailAddress.objects.create(user=student, email="ada.second@example.com", verified=False)
    social = SocialAccount.objects.create(user=student, provider="google", uid="1234567890")
    SocialToken.objects.create(account=social, token="access-token")
    log_in(client, "ada@example.com")
    laptop = Client()
    log_in(laptop, "ada@example.com")
    assert UserSession.objects.filter(user=student).count() == 2
    other_session_key = laptop.session.session_key
    assert SessionStore().exists(other_session_key)
    someone_else = make_student("grace@example.com")

    response = client.post("/accounts/delete/", {"password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert not User.objects.filter(pk=student.pk).exists()
    assert not EmailAddress.objects.filter(email__startswith="ada").exists()
    assert not SocialAccount.objects.filter(uid="1234567890").exists()
    assert not SocialToken.objects.exists()
    assert not UserSession.objects.exists()
    assert not Session.objects.filter(session_key=other_session_key).exists()
    assert not SessionStore().exists(other_session_key)  # gone from the Redis cache too
    # Logged out here and on the other device.
    assert logged_in_user(client) is None
    assert laptop.get("/accounts/profile/").status_code == 302
    assert (
        "Your account and everything in it have been deleted."
        in client.get("/accounts/login/").content.decode()
    )
    # Nobody else is touched.
    assert User.objects.filter(pk=someone_else.pk).exists()
    assert EmailAddress.objects.filter(email="grace@example.com").exists()


def test_the_wagtail_admin_session_of_a_deleted_account_ends_too(client, db):
    editor = User.objects.create_user("editor", "editor@example.com", PASSWORD, is_staff=True)
    EmailAddress.objects.create(user=editor, email="editor@example.com", primary=True, verified=True)
    admin = Client()
    admin.post("/admin/login/", {"username": "editor", "password": PASSWORD})
    admin_session = admin.session.session_key
    log_in(client, "editor@example.com")

    client.post("/accounts/delete/", {"password": PASSWORD})

    assert not Session.objects.filter(session_key=admin_session).exists()
    assert admin.get("/admin/").status_code == 302


def test_a_wrong_password_deletes_nothing(client, student):
    log_in(client, "ada@example.com")
    response = client.post("/accounts/delete/", {"password": "not-my-password"})
    assert response.status_code == 400
    assert "That is not your password." in response.content.decode()
    assert User.objects.filter(pk=student.pk).exists()
    assert logged_in_user(client) == student


def test_a_forged_request_without_the_csrf_token_deletes_nothing(student):
    client = Client(enforce_csrf_checks=True)
    log_in(client, "ada@example.com")  # refused too: no token
    client.force_login(student)
    response = client.post("/accounts/delete/", {"password": PASSWORD})
    assert response.status_code == 403
    assert User.objects.filter(pk=student.pk).exists()


def test_the_same_request_with_the_token_from_the_page_succeeds(student):
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    page = client.get("/accounts/delete/")
    token = page.context["csrf_token"]
    response = client.post("/accounts/delete/", {"password": PASSWORD, "csrfmiddlewaretoken": str(token)})
    assert response.status_code == 302
    assert not User.objects.filter(pk=student.pk).exists()


def test_opening_the_page_deletes_nothing(client, student):
    log_in(client, "ada@example.com")
    response = client.get("/accounts/delete/")
    assert response.status_code == 200
    assert b"Delete my account" in response.content
    assert User.objects.filter(pk=student.pk).exists()


def test_an_account_without_a_password_confirms_by_typing_its_address(client, student):
    student.set_unusable_password()
    student.save()
    client.force_login(student)
    page = client.get("/accounts/delete/").content.decode()
    assert "Type your email address to confirm" in page
    response = client.post("/accounts/delete/", {"confirmation": "someone@example.com"})
    assert response.status_code == 400
    assert User.objects.filter(pk=student.pk).exists()
    response = client.post("/accounts/delete/", {"confirmation": " ADA@example.com "})
    assert response.status_code == 302
    assert not User.objects.filter(pk=student.pk).exists()


def test_the_last_superuser_cannot_delete_their_account(client, db):
    boss = make_student("boss@example.com", is_superuser=True, is_staff=True)
    log_in(client, "boss@example.com")
    assert b"only administrator" in client.get("/accounts/delete/").content
    response = client.post("/accounts/delete/", {"password": PASSWORD})
    assert response.status_code == 400
    assert User.objects.filter(pk=boss.pk).exists()

    User.objects.create_superuser("deputy", "deputy@example.com", PASSWORD)
    response = client.post("/accounts/delete/", {"password": PASSWORD})
    assert response.status_code == 302
    assert not User.objects.filter(pk=boss.pk).exists()


def test_visitors_are_sent_to_log_in(client, db):
    response = client.post("/accounts/delete/", {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_user_deleted_in_the_wagtail_admin_is_logged_out_everywhere(client, student):
    from django.urls import reverse

    log_in(client, "ada@example.com")
    session_key = client.session.session_key
    admin = Client()
    admin.force_login(User.objects.create_superuser("boss", "boss@example.com", PASSWORD))

    response = admin.post(reverse("wagtailusers_users:delete", args=[student.pk]))

    assert response.status_code == 302
    assert not User.objects.filter(pk=student.pk).exists()
    assert not Session.objects.filter(session_key=session_key).exists()
    assert not SessionStore().exists(session_key)
    assert not EmailAddress.objects.filter(email="ada@example.com").exists()
    assert logged_in_user(client) is None
