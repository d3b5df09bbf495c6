from django.conf import settings
from django.core.management.base import BaseCommand

from lti import keys


class Command(BaseCommand):
    help = (
        "Make a new LTI signing key and retire the current one. Retired keys stay in /lti/jwks/ for "
        "LTI_KEY_RETIRED_DAYS days (platforms cache the JWKS), then are deleted by the next rotation."
    )

    def handle(self, *args, **options):
        key = keys.rotate()
        self.stdout.write(
            f"New signing key {key.kid}; retired keys stay published for "
            f"{settings.LTI_KEY_RETIRED_DAYS} days."
        )
