"""Exactly once, in effect: a side effect (an email) is claimed in one short UPDATE, done with no
lock held, then recorded; a failed attempt gives the claim back, a dead one's claim expires."""

from datetime import timedelta

import pytest
from django.utils import timezone

from courses.services import enroll
from outbox.services import Claim, claim, finish, release
from tests.factories import UserFactory


@pytest.mark.django_db
def test_a_claim_lets_one_caller_do_the_effect_and_a_dead_callers_claim_expires(course, settings):
    settings.DELIVERY_LEASE = 60
    enrollment, _ = enroll(UserFactory(), course)
    rows = type(enrollment).objects.filter(pk=enrollment.pk)
    fields = {"done": "confirmation_sent_at", "claimed": "confirmation_claimed_at"}

    assert claim(rows, **fields) is Claim.CLAIMED
    assert claim(rows, **fields) is Claim.HELD
    release(rows, claimed="confirmation_claimed_at")  # the send failed
    assert claim(rows, **fields) is Claim.CLAIMED

    # The claimer died: after the lease another caller may take it.
    rows.update(confirmation_claimed_at=timezone.now() - timedelta(seconds=61))
    assert claim(rows, **fields) is Claim.CLAIMED
    finish(rows, **fields)
    assert claim(rows, **fields) is Claim.DONE
    enrollment.refresh_from_db()
    assert enrollment.confirmation_sent_at and enrollment.confirmation_claimed_at is None
    rows.delete()
    assert claim(rows, **fields) is Claim.DONE
