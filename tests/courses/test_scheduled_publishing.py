"""Scheduled publishing without cron: beat's database schedule runs Wagtail's publish_scheduled."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from courses.models import CoursePage
from courses.scheduling import PERIODIC_TASK, ensure_publish_schedule
from courses.tasks import publish_scheduled
from tests.factories import CoursePageFactory
from tests.processes import CELERY, Process, child_env, wait_for


def schedule(course, go_live_at):
    course.go_live_at = go_live_at
    revision = course.save_revision()
    revision.approved_go_live_at = go_live_at
    revision.save(update_fields=["approved_go_live_at"])
    return revision


def test_migrate_creates_an_enabled_periodic_task_every_minute_or_less(db):
    task = PeriodicTask.objects.get(name=PERIODIC_TASK)
    assert task.enabled and task.task == "courses.tasks.publish_scheduled"
    assert task.interval.period == "seconds" and task.interval.every <= 60
    assert task.interval.every == settings.PUBLISH_SCHEDULED_EVERY


def test_a_run_after_an_hour_of_downtime_publishes_everything_overdue(catalogue):
    overdue = [CoursePageFactory(parent=catalogue, title=f"Late {n}", live=False) for n in range(3)]
    for minutes, course in zip((61, 30, 1), overdue, strict=True):
        schedule(course, timezone.now() - timedelta(minutes=minutes))
    future = CoursePageFactory(parent=catalogue, title="Tomorrow", live=False)
    schedule(future, timezone.now() + timedelta(days=1))

    publish_scheduled()
    publish_scheduled()  # idempotent: nothing left to do

    assert all(CoursePage.objects.get(pk=course.pk).live for course in overdue)
    assert not CoursePage.objects.get(pk=future.pk).live


def test_an_expired_page_is_unpublished(catalogue):
    course = CoursePageFactory(
        parent=catalogue, title="Ends", expire_at=timezone.now() - timedelta(minutes=5)
    )
    publish_scheduled()
    course.refresh_from_db()
    assert not course.live and course.expired


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_beat_and_a_worker_publish_a_scheduled_page_after_its_time(celery_worker, catalogue, tmp_path):
    ensure_publish_schedule()  # the flush of an earlier transactional test may have removed it
    course = CoursePageFactory(parent=catalogue, title="Goes live soon", live=False)
    schedule(course, timezone.now() + timedelta(seconds=3))

    beat = Process(
        [CELERY, "-A", "portal", "beat", "-l", "info", "--pidfile=", "-s", str(tmp_path / "beat-schedule")],
        child_env(),
        tmp_path / "beat.log",
    )
    try:
        wait_for(
            lambda: CoursePage.objects.get(pk=course.pk).live,
            timeout=60,
            message="beat to send publish_scheduled and the worker to publish the page",
        )
    finally:
        beat.stop()
    assert CoursePage.objects.get(pk=course.pk).first_published_at >= course.go_live_at
    assert "publish-scheduled-pages" in beat.output()
