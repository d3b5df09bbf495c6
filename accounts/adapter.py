"""How allauth behaves on this site (``ACCOUNT_ADAPTER``)."""

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils.encoding import force_str


class AccountAdapter(DefaultAccountAdapter):
    def format_email_subject(self, subject):
        # allauth's default prefix is the host name ("[learn.example.com]"); students
        # know the portal by its name.
        return f"[{settings.WAGTAIL_SITE_NAME}] {force_str(subject)}"
