"""Celery against real Redis: a worker process runs tasks, beat reads its schedule from the database."""

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from portal.tasks import clear_expired_sessions
from tests.processes import CELERY, Process, child_env, wait_for


def make_session(expired):
    store = SessionStore()
    store["who"] = "student"
    store.create()
    delta = timedelta(days=-1) if expired else timedelta(days=1)
    Session.objects.filter(session_key=store.session_key).update(expire_date=timezone.now() + delta)
    return store.session_key


def test_celery_is_configured_for_safe_redelivery(celery_app):
    conf = celery_app.conf
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    # No worker holds a message it has not started (where the visibility timeout would hand
    # it to a second worker): an encode is never doubled however long it runs.
    assert conf.worker_disable_prefetch is True
    assert conf.task_soft_time_limit < conf.task_time_limit
    # DatabaseScheduler with a heartbeat file for the liveness probe (portal/beat_scheduler.py).
    assert conf.beat_scheduler == "portal.beat_scheduler.HeartbeatDatabaseScheduler"
    assert celery_app.amqp.router.route({}, "media_library.tasks.transcode")["queue"].name == "media"
    assert celery_app.amqp.router.route({}, "portal.tasks.clear_expired_sessions")["queue"].name == "default"


@pytest.mark.django_db(transaction=True)
def test_a_task_runs_in_a_real_worker_and_its_result_comes_back(celery_worker):
    expired, live = make_session(expired=True), make_session(expired=False)

    result = clear_expired_sessions.delay()

    assert result.get(timeout=30) == 1
    assert not Session.objects.filter(session_key=expired).exists()
    assert Session.objects.filter(session_key=live).exists()


@pytest.mark.django_db(transaction=True)
def test_beat_reads_periodic_tasks_from_the_database_and_the_worker_runs_them(celery_worker, tmp_path):
    every_second = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(
        name="sweep sessions every second", task="portal.tasks.clear_expired_sessions", interval=every_second
    )
    expired = make_session(expired=True)

    beat = Process(
        [CELERY, "-A", "portal", "beat", "-l", "info", "--pidfile="], child_env(), tmp_path / "beat.log"
    )
    try:
        wait_for(
            lambda: not Session.objects.filter(session_key=expired).exists(),
            timeout=45,
            message="beat to send the database-scheduled task and the worker to run it",
        )
        # The schedule in settings is written to the database by the DatabaseScheduler.
        assert PeriodicTask.objects.filter(name="clear-expired-sessions").exists()
    finally:
        beat.stop()
    log = beat.output()
    assert "DatabaseScheduler" in log
    assert "sweep sessions every second" in log


def test_no_task_acknowledged_late_can_outlast_the_visibility_timeout(celery_app, settings):
    """Redis redelivers a delivered, unacknowledged message after the visibility timeout (two
    minutes, so a killed worker's short task runs again soon): every task acknowledged only
    when it finishes must finish, including its longest wait before a retry, within it.
    Encodes and the periodic sweeps are acknowledged when they start instead."""
    celery_app.loader.import_default_modules()
    conf = celery_app.conf
    visibility = conf.broker_transport_options["visibility_timeout"]
    ours = {
        name: task
        for name, task in celery_app.tasks.items()
        if name.split(".")[0] in {"portal", "courses", "lessons", "media_library", "accounts", "outbox"}
    }
    acknowledged_late = sorted(name for name, task in ours.items() if task.acks_late)
    assert acknowledged_late == [
        "accounts.tasks.send_email",
        "courses.tasks.issue_certificate",
        "courses.tasks.send_enrollment_confirmation",
        "media_library.tasks.record_document_info",
    ]
    for name in acknowledged_late:
        hard = ours[name].time_limit or conf.task_time_limit
        assert hard + settings.TASK_RETRY_BACKOFF_MAX < visibility, name
    # A retry waiting in a worker is unacknowledged too, whichever way the task is acknowledged.
    for name, task in ours.items():
        if getattr(task, "autoretry_for", ()) and getattr(task, "retry_backoff", False):
            assert task.retry_backoff_max <= settings.TASK_RETRY_BACKOFF_MAX, name
    assert {
        ours["media_library.tasks.encode"].acks_late,
        ours["media_library.tasks.transcode"].acks_late,
    } == {False}
    # The defaults: 75 s + 15 s + 15 s, so a killed task runs again within 2 minutes; 75 s + 15 s.
    assert (visibility, settings.DELIVERY_LEASE) == (105, 90)
