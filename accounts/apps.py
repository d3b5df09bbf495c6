from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Students' accounts: the allauth integration, the profile page and account deletion."""

    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from . import checks, signal_handlers  # noqa: F401  (registers the system checks)

        signal_handlers.connect()

        # Django's admin login under the site's login policy (Wagtail's is set in settings).
        from django.contrib import admin

        from .forms import DjangoAdminLoginForm

        admin.site.login_form = DjangoAdminLoginForm
