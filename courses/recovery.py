"""Recovery sweeps: course work an event called for that is still not done, started again.

The events' own tasks are started through the outbox, so a broker outage delays them and
never loses them. What these sweeps find is what the outbox cannot vouch for:

- the gap between a commit and its listener: domain signals are sent after commit
  (``courses.signals.send_after_commit``), so the listener's outbox row is a second, separate
  write; a process killed (or a database lost) between the two leaves an event with no task;
- a task that gave up: its retries ran out while the mail server was down;
- work from before the outbox: a completion whose certificate task was lost.

Each sweep looks at events older than ``RECOVERY_GRACE`` seconds (their own task has had
time to run) and younger than ``RECOVERY_WINDOW_DAYS`` (a confirmation weeks late helps
nobody; ``manage.py issue_certificates`` covers older completions), takes at most
``RECOVERY_BATCH`` of each per run, oldest first, and enqueues the same idempotent task the
event would have, unless that call was enqueued within the grace period (still waiting in
the outbox or the broker).
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef

from outbox.services import enqueue_unless_recent

from .certificates import finished_certificates
from .models import Certificate, Enrollment

# By name: tasks.py runs these sweeps, so this module does not import it back.
ISSUE_CERTIFICATE = "courses.tasks.issue_certificate"
SEND_CONFIRMATION = "courses.tasks.send_enrollment_confirmation"


def completions_without_a_finished_certificate(since, until):
    finished = finished_certificates().filter(user=OuterRef("user"), course=OuterRef("course"))
    return (
        Enrollment.objects.filter(completed_at__gte=since, completed_at__lte=until)
        .exclude(Exists(finished))
        .order_by("completed_at")
    )


def enrollments_without_a_confirmation(since, until):
    return Enrollment.objects.filter(
        confirmation_sent_at__isnull=True, enrolled_at__gte=since, enrolled_at__lte=until
    ).order_by("enrolled_at")


def certificates_without_their_email(since, until):
    return Certificate.objects.filter(
        emailed_at__isnull=True, issued_at__gte=since, issued_at__lte=until
    ).order_by("issued_at")


def _enqueue_some(task, calls, grace, batch):
    """Enqueue up to ``batch`` of ``calls`` (argument tuples, oldest first) not enqueued within
    ``grace``; looks at no more than ten times that many. Returns how many were enqueued."""
    enqueued = 0
    for args in calls[: batch * 10]:
        if enqueue_unless_recent(task, *args, within=grace):
            enqueued += 1
            if enqueued == batch:
                break
    return enqueued


def recover(now):
    """Run the three sweeps at ``now``; returns ``{sweep: tasks enqueued}``."""
    grace = timedelta(seconds=settings.RECOVERY_GRACE)
    since, until = now - timedelta(days=settings.RECOVERY_WINDOW_DAYS), now - grace
    batch = settings.RECOVERY_BATCH
    completions = completions_without_a_finished_certificate(since, until).values_list("user_id", "course_id")
    # Mostly found among the completions already (and enqueued once); this also catches a
    # certificate whose enrollment an editor removed.
    unsent = certificates_without_their_email(since, until).values_list("user_id", "course_id")
    enrollments = enrollments_without_a_confirmation(since, until).values_list("pk")
    return {
        "certificates": _enqueue_some(ISSUE_CERTIFICATE, completions, grace, batch),
        "certificate_emails": _enqueue_some(ISSUE_CERTIFICATE, unsent, grace, batch),
        "confirmations": _enqueue_some(SEND_CONFIRMATION, enrollments, grace, batch),
    }
