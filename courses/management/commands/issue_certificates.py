"""Enqueue the certificate task for completed enrollments that have no finished certificate.

For courses completed before certificates existed, or a task that gave up after its
retries (the mail server down for hours). The task is idempotent, so running this twice
is harmless.
"""

from django.core.management.base import BaseCommand

from courses.certificates import completions_without_certificate
from courses.tasks import issue_certificate


class Command(BaseCommand):
    help = "Enqueue certificates for completed enrollments that lack one (or whose PDF or email is missing)."

    def handle(self, *args, **options):
        pending = completions_without_certificate()
        count = 0
        for user_id, course_id in pending.values_list("user_id", "course_id"):
            issue_certificate.delay(user_id, course_id)
            count += 1
        self.stdout.write(f"Enqueued {count} certificate(s).")
