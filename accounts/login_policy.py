"""The one login policy for every login form on the site.

``/accounts/login/`` (allauth, email and password), ``/admin/login/`` (Wagtail) and
``/django-admin/login/`` (Django's admin, username and password) all:

* authenticate through allauth's adapter, so that allauth's rate limits count every attempt
  in the same buckets: ``login`` (30 a minute per IP) and ``login_failed`` (10 a minute per
  IP, and 5 per account in 5 minutes: the lock-out). The per-account bucket is keyed by the
  account itself (``account_key``), so an attacker gets 5 guesses per account whichever form
  and whichever identifier (username, any of its email addresses, any case) they use;
* take the client address the same way (allauth's, ``TRUSTED_PROXY_COUNT`` hops from the
  right of ``X-Forwarded-For``);
* refuse a session to an account whose email address is not verified (``must_verify_email``),
  when verification is mandatory. Accounts an administrator gave access to the admin (staff,
  superusers, members of a group with "Can access Wagtail admin") are exempt: they were created
  or promoted by someone trusted, and ``createsuperuser`` makes no EmailAddress row at all.

Why allauth's rate limits rather than django-axes: they already guard the site's login, its
sign-up, password reset and reauthentication, with separate per-IP and per-account rates
(axes has one failure limit for every parameter, so a classroom behind one address would be
locked out by five typos); routing the two admin forms through the same adapter call gives
one count for all three forms with no second counter to keep in step. The counts live in the
default cache: while Redis is down they fall back to a per-process count (portal/cache.py).
"""

from allauth.account import app_settings
from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from allauth.account.stages import EmailVerificationStage
from allauth.core import ratelimit
from django import forms
from django.contrib.auth import get_user_model

UNVERIFIED = (
    "This account's email address is not verified yet. Follow the link in the email we sent "
    "you, or log in at /accounts/login/ to get a new one."
)


def is_admin_user(user):
    """Staff, superusers and anyone whose groups let them into the Wagtail admin."""
    return user.is_active and (
        user.is_staff or user.is_superuser or user.has_perm("wagtailadmin.access_admin")
    )


def must_verify_email(user):
    """True when ``user`` may not have a session yet: mandatory verification, no verified
    address, and not an admin user."""
    if app_settings.EMAIL_VERIFICATION != app_settings.EmailVerificationMethod.MANDATORY:
        return False
    if is_admin_user(user):
        return False
    return not EmailAddress.objects.filter(user=user, verified=True).exists()


def account_key(login):
    """The rate-limit key for a typed username or email address: the account's, if one matches.

    Without it "ada", "ada@example.com" and "ADA@example.com" would each get their own count.
    """
    login = (login or "").strip()
    users = get_user_model().objects
    user_id = (
        EmailAddress.objects.filter(email__iexact=login).values_list("user_id", flat=True).first()
        or users.filter(email__iexact=login).values_list("pk", flat=True).first()
        or users.filter(username__iexact=login).values_list("pk", flat=True).first()
    )
    return f"account:{user_id}" if user_id else f"login:{login.lower()}"


def authenticate(request, username, password):
    """Authenticate a username-or-email and password under the site's rate limits.

    Returns the user or None; raises ValidationError while a rate limit is exceeded.
    """
    adapter = get_adapter(request)
    if not ratelimit.consume(request, action="login"):
        raise adapter.validation_error("too_many_login_attempts")
    return adapter.authenticate(request, username=username, password=password)


class VerifiedEmailStage(EmailVerificationStage):
    """allauth's verification stage, with the admin-user exemption of ``must_verify_email``."""

    def handle(self):
        # user is None on the sign-up of an address that already has an account (allauth's
        # enumeration prevention), which must take allauth's path unchanged.
        user = self.login.user
        if user is not None and user.pk and is_admin_user(user):
            return None, True
        return super().handle()


class LoginPolicyFormMixin:
    """For Django ``AuthenticationForm`` subclasses (the two admin login forms)."""

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            self.user_cache = authenticate(self.request, username, password)
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if must_verify_email(user):
            raise forms.ValidationError(UNVERIFIED, code="unverified")
