from django.conf import settings
from django.core.management.base import BaseCommand
from django.urls import reverse

from lti import registration


class Command(BaseCommand):
    help = "Print a one-time LTI Dynamic Registration URL to paste into a platform (Moodle, Canvas...)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7, help="How long the URL stays valid (default 7).")

    def handle(self, *args, days, **options):
        _, token = registration.create_invite(days=days)
        base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
        self.stdout.write(f"{base}{reverse('lti:register', args=[token])}")
