from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Students' accounts: the allauth integration, the profile page and account deletion."""

    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from . import checks, signal_handlers  # noqa: F401  (registers the system checks)

        signal_handlers.connect()

        # Django's admin login under the site's login policy (Wagtail's is set in settings).
        from django.contrib import admin

        from .forms import DjangoAdminLoginForm

        admin.site.login_form = DjangoAdminLoginForm
