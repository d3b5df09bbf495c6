"""How allauth behaves on this site (``ACCOUNT_ADAPTER``)."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.utils import translation
from django.utils.encoding import force_str

from outbox.services import enqueue

from .emails import send_now_or_later
from .languages import language_preference


class AccountAdapter(DefaultAccountAdapter):
    def format_email_subject(self, subject):
        # allauth's default prefix is the host name ("[learn.example.com]"); students
        # know the portal by its name.
        return f"[{settings.WAGTAIL_SITE_NAME}] {force_str(subject)}"

    def send_mail(self, template_prefix, email, context):
        # allauth's emails sign off with the request's host ("Hello from 127.0.0.1:8400!"); ours
        # sign off with the site's name and its configured address, as every other email does.
        # A mail server that is down or hangs costs the request at most EMAIL_REQUEST_TIMEOUT
        # and loses nothing: the rendered message goes to the outbox and a worker sends it
        # (a verification code, a password reset link), retrying until the server answers.
        request = allauth_context.request
        context = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
            **context,
            "site_name": settings.WAGTAIL_SITE_NAME,
            "site_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/",
        }
        # In the user's own language (their account's) when they chose one, else the request's
        # (the page they signed up or asked for a reset on).
        user = context.get("user")
        language = language_preference(user) if user is not None else ""
        with translation.override(language or translation.get_language()):
            message = self.render_mail(template_prefix, email, context)
        send_now_or_later(message, defer=lambda data: enqueue("accounts.tasks.send_email", data))

    def get_reauthentication_methods(self, user):
        # allauth's own descriptions say "sign-in"; the site says "log in" and no more.
        descriptions = {
            "reauthenticate": "Use your password",
            "reauthenticate_by_code": "Email me a code instead",
        }
        methods = super().get_reauthentication_methods(user)
        for method in methods:
            method["description"] = descriptions.get(method["id"], method["description"])
        return methods

    def _get_login_attempts_cache_key(self, request, **credentials):
        # allauth keys the per-account failed-login count by what was typed; the login policy
        # keys it by the account, so every form and identifier shares one count.
        from .login_policy import account_key

        return account_key(credentials.get("email") or credentials.get("username"))

    def get_login_stages(self):
        # The same verification rule as the admin login forms (accounts/login_policy.py).
        stages = super().get_login_stages()
        swap = {"allauth.account.stages.EmailVerificationStage": "accounts.login_policy.VerifiedEmailStage"}
        return [swap.get(stage, stage) for stage in stages]
