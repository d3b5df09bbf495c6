"""Accounts: fresh rate-limit counts, students as allauth signs them up, links from emails.

Loaded for every test through ``pytest_plugins`` in tests/conftest.py; the account tests
clear the rate limits around each test (tests/accounts/conftest.py)."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.cache import cache

PASSWORD = "correct-horse-battery-staple-42"
LINK = re.compile(r"https?://[^\s]+")


@pytest.fixture
def fresh_rate_limits():
    """allauth counts attempts per IP in Redis, and every test client is 127.0.0.1: without
    a clean slate, one test's sign-ups would rate-limit the next. Only this run's own cache
    keys are deleted (its KEY_PREFIX, ``portal.cache``): the Redis may be shared."""
    cache.delete_own_keys()
    yield
    cache.delete_own_keys()


def make_student(email="ada@example.com", password=PASSWORD, verified=True, **fields):
    """A user as allauth's sign-up leaves one, with their email address verified or not."""
    user = get_user_model().objects.create_user(
        username=email.split("@")[0], email=email, password=password, **fields
    )
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=verified)
    return user


def link_in(message, contains):
    """The one link in an email whose URL contains ``contains``."""
    links = [url for url in LINK.findall(message.body) if contains in url]
    assert len(links) == 1, f"expected one {contains!r} link in:\n{message.body}"
    return links[0]


def log_in(client, email, password=PASSWORD):
    return client.post("/accounts/login/", {"login": email, "password": password})


def logged_in_user(client):
    """The user the client's session belongs to, or None, as the site sees it."""
    from django.contrib.auth import get_user

    request = type("Request", (), {"session": client.session})()
    user = get_user(request)
    return user if user.is_authenticated else None
