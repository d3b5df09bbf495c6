"""Scheduled publishing without cron: beat's periodic task for ``courses.tasks.publish_scheduled``."""

from django.conf import settings

PERIODIC_TASK = "publish-scheduled-pages"
TASK = "courses.tasks.publish_scheduled"


def ensure_publish_schedule(apps=None):
    """Create or update the enabled django-celery-beat task that publishes due pages.

    Its interval is ``PUBLISH_SCHEDULED_EVERY`` seconds (60 at most in production). Each
    message expires after one interval, so a backlog never replays: the next run publishes
    everything overdue anyway.
    """
    if apps is None:
        from django.apps import apps
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every = settings.PUBLISH_SCHEDULED_EVERY
    interval, _ = IntervalSchedule.objects.get_or_create(every=every, period="seconds")
    task, _ = PeriodicTask.objects.update_or_create(
        name=PERIODIC_TASK,
        defaults={
            "task": TASK,
            "interval": interval,
            "enabled": True,
            "expire_seconds": every,
            "description": "Publishes pages whose go-live time has passed and unpublishes expired ones.",
        },
    )
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    # Tell a running beat that the schedule changed (what PeriodicTask.save's signal does).
    from django.utils import timezone

    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})
    return task
