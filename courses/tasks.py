"""Background tasks of the courses app."""

import io

from celery import shared_task
from django.core.cache import cache
from django.core.management import call_command

LOCK = "courses:publish-scheduled"


@shared_task(ignore_result=True)
def publish_scheduled():
    """Run Wagtail's scheduled publishing (``manage.py publish_scheduled``): publish every
    revision whose go-live time has passed and unpublish what has expired. Idempotent: a late
    run catches up with everything overdue, and overlapping runs are skipped by a lock."""
    if not cache.add(LOCK, 1, timeout=300):
        return "skipped: another run is publishing"
    try:
        out = io.StringIO()
        call_command("publish_scheduled", stdout=out)
        return out.getvalue()
    finally:
        cache.delete(LOCK)
