"""Sign-up and password reset take as long for an address that has an account as for one that
has not (issue 11: the form answered 20 times faster for a known address).

Run: scripts/test.sh bench/bench_auth_timing.py -s -p no:logging -q
Uses Django's default password hasher (PBKDF2, as production does; the test settings use MD5
for speed) and the real PostgreSQL, Redis and email code paths through the Django test client.
Prints the medians of RUNS requests for each path; copy them into bench/RESULTS.md. The target
is a difference under 20 % between the two medians.
"""

import statistics
import time

import pytest
from django.core.cache import cache

from tests.account_fixtures import PASSWORD, make_student

RUNS = 10
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def real_hasher(settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]


def timed(client, url, data):
    cache.delete_own_keys()  # rate limits: many requests from one address (its own keys only)
    start = time.perf_counter()
    response = client.post(url, data)
    elapsed = time.perf_counter() - start
    assert response.status_code == 302, response.content[:500]
    return elapsed


def compare(name, known, unknown):
    k, u = statistics.median(known), statistics.median(unknown)
    diff = abs(k - u) / max(k, u) * 100
    print(
        f"BENCH {name:<16} known {k * 1000:7.1f} ms  unknown {u * 1000:7.1f} ms  "
        f"difference {diff:4.1f} % (medians of {RUNS})"
    )
    return diff


def test_bench_sign_up_known_and_unknown_addresses(client):
    make_student("known@example.com")
    known, unknown = [], []
    for number in range(RUNS):
        # Alternate, so that machine load affects both paths alike.
        data = {"name": "Known", "email": "known@example.com", "password1": PASSWORD, "password2": PASSWORD}
        known.append(timed(client, "/accounts/signup/", data))
        data = {
            "name": "New",
            "email": f"new{number}@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
        }
        unknown.append(timed(client, "/accounts/signup/", data))
    compare("sign-up", known, unknown)


def test_bench_password_reset_known_and_unknown_addresses(client):
    make_student("known@example.com")
    known, unknown = [], []
    for number in range(RUNS):
        known.append(timed(client, "/accounts/password/reset/", {"email": "known@example.com"}))
        unknown.append(timed(client, "/accounts/password/reset/", {"email": f"nobody{number}@example.com"}))
    compare("password reset", known, unknown)
