"""A user's email addresses, as allauth keeps them."""

from allauth.account.models import EmailAddress


def primary_email(user):
    """The user's primary email address as a string, or ``None`` if they have none."""
    address = EmailAddress.objects.get_primary(user)
    return address.email if address else (user.email or None)


def has_verified_email(user):
    """Whether ``user`` has proved they own at least one of their email addresses."""
    return EmailAddress.objects.filter(user=user, verified=True).exists()
