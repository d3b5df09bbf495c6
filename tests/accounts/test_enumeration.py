"""Sign-up does the same work whether or not the address has an account (issue 11, item 8).

The timing itself is measured by bench/bench_auth_timing.py (bench/RESULTS.md); here the
work is counted: each path hashes the typed password exactly once.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail

from tests.account_fixtures import PASSWORD, make_student

pytestmark = pytest.mark.django_db


class CountingHasher(MD5PasswordHasher):
    """MD5 (the test suite's hasher) that counts the passwords it hashes."""

    algorithm = "counting_md5"
    hashed = 0

    def encode(self, password, salt):
        CountingHasher.hashed += 1
        return super().encode(password, salt)


@pytest.fixture
def counting_hasher(settings):
    settings.PASSWORD_HASHERS = ["tests.accounts.test_enumeration.CountingHasher"]
    CountingHasher.hashed = 0
    return CountingHasher


def sign_up(client, email):
    return client.post(
        "/accounts/signup/",
        {"name": "Ada Lovelace", "email": email, "password1": PASSWORD, "password2": PASSWORD},
    )


def test_signing_up_with_a_taken_address_hashes_the_password_like_a_new_account(client, counting_hasher):
    make_student("ada@example.com")
    counting_hasher.hashed = 0
    taken = sign_up(client, "ada@example.com")
    hashed_for_taken = counting_hasher.hashed

    counting_hasher.hashed = 0
    new = sign_up(client, "grace@example.com")
    hashed_for_new = counting_hasher.hashed

    assert hashed_for_taken == hashed_for_new == 1
    # Same answer, one email each, one account each.
    assert (taken.status_code, taken["Location"]) == (new.status_code, new["Location"])
    assert len(mail.outbox) == 2
    assert get_user_model().objects.filter(email__iexact="ada@example.com").count() == 1
