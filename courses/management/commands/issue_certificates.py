"""Enqueue the certificate task for completed enrollments that have no finished certificate.

For courses completed before certificates existed, or a task that gave up after its
retries (the mail server down for hours). The task is idempotent, so running this twice
is harmless.
"""

from django.core.management.base import BaseCommand
from django.db.models import Exists, OuterRef, Q

from courses.models import Certificate, Enrollment
from courses.tasks import issue_certificate


class Command(BaseCommand):
    help = "Enqueue certificates for completed enrollments that lack one (or whose PDF or email is missing)."

    def handle(self, *args, **options):
        finished = Certificate.objects.filter(
            user=OuterRef("user"), course=OuterRef("course"), emailed_at__isnull=False
        ).exclude(Q(file="") | Q(file__isnull=True))
        pending = Enrollment.objects.filter(completed_at__isnull=False).exclude(Exists(finished))
        count = 0
        for user_id, course_id in pending.values_list("user_id", "course_id"):
            issue_certificate.delay(user_id, course_id)
            count += 1
        self.stdout.write(f"Enqueued {count} certificate(s).")
