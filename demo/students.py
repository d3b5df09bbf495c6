"""Idempotent demo accounts (called by ``manage.py demo_content``)."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model


def ensure_student(password, email="student@example.com", first_name="Sam", last_name="Student"):
    """Return a student who can log in on the site at once: verified address, given password."""
    user, _ = get_user_model().objects.get_or_create(
        username="student", defaults={"email": email, "first_name": first_name, "last_name": last_name}
    )
    if not user.check_password(password):
        user.set_password(password)
        user.save()
    address, _ = EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"primary": True, "verified": True}
    )
    if not (address.primary and address.verified):
        address.primary = address.verified = True
        address.save()
    return user
