"""Enqueue the certificate task for completed enrollments that have no finished certificate.

For courses completed before certificates existed, or before the recovery sweep's window
(``RECOVERY_WINDOW_DAYS``; within it, beat finishes them without this command). Through
the outbox, so it works with the broker down too; the task is idempotent, so running this
twice is harmless.
"""

from django.core.management.base import BaseCommand

from courses.certificates import completions_without_certificate
from courses.tasks import issue_certificate
from outbox.services import enqueue


class Command(BaseCommand):
    help = "Enqueue certificates for completed enrollments that lack one (or whose PDF or email is missing)."

    def handle(self, *args, **options):
        pending = completions_without_certificate()
        count = 0
        for user_id, course_id in pending.values_list("user_id", "course_id"):
            enqueue(issue_certificate, user_id, course_id)
            count += 1
        self.stdout.write(f"Enqueued {count} certificate(s).")
