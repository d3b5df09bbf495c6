from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "sharing"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Draft sharing")

    def ready(self):
        from media_library.services import register_grant_check

        from .services import GRANT_KIND, link_grants

        # A share link's reviewer has no account: the media library serves the media of the
        # shared page on the link's signatures, for as long as the link stands.
        register_grant_check(GRANT_KIND, link_grants)
