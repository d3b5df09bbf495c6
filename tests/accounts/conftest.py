"""The account tests: every test starts with clean rate limits and a verified student."""

import pytest

from tests.account_fixtures import make_student


@pytest.fixture(autouse=True)
def clean_rate_limits(fresh_rate_limits):
    """Every test client is 127.0.0.1: one test's sign-ups must not rate-limit the next."""


@pytest.fixture
def student(db):
    """A student as allauth's sign-up leaves one, email verified (the site-wide one has no address)."""
    return make_student()
