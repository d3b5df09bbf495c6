"""/metrics (portal/metrics.py): Prometheus text format, access rules, and counters that move."""

import datetime
import json
import time

import pytest
import redis
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import DatabaseError, connections
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from portal import backups, metrics, task_metrics
from portal.tasks import clear_expired_sessions
from tests.page_fixtures import make_media
from tests.portal.test_health import PROXY_HEADERS
from tests.processes import free_port, wait_for

POD_IP = "10.244.1.7:8000"


def scrape(client, **headers):
    response = client.get("/metrics", HTTP_HOST=POD_IP, **headers)
    assert response.status_code == 200, response.content
    return {family.name: family for family in text_string_to_metric_families(response.content.decode())}


def sample(families, family, sample_name=None, **labels):
    """The value of one sample (0 if absent: a counter not yet incremented)."""
    name = sample_name or family
    if family not in families:
        return 0
    for s in families[family].samples:
        if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
            return s.value
    return 0


@pytest.mark.django_db
def test_metrics_answer_in_the_prometheus_text_format_with_every_family_the_issue_lists(client):
    client.get("/accounts/login/")
    response = client.get("/metrics", HTTP_HOST=POD_IP)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    families = {f.name: f for f in text_string_to_metric_families(response.content.decode())}
    expected = {
        # Requests by view and status, latency histograms (django-prometheus).
        "django_http_responses_total_by_status_view_method": "counter",
        "django_http_requests_latency_seconds_by_view_method": "histogram",
        # Database and cache errors.
        "django_db_errors": "counter",
        "django_cache_get_fail": "counter",
        # What the site holds, and the Celery side.
        "ringlet_media_items": "gauge",
        "ringlet_outbox_unsent": "gauge",
        "ringlet_outbox_oldest_unsent_seconds": "gauge",
        "ringlet_celery_queue_length": "gauge",
        "ringlet_celery_queue_oldest_age_seconds": "gauge",
        "ringlet_certificates_not_issued": "gauge",
        "ringlet_backup_newest_timestamp_seconds": "gauge",
        "ringlet_celery_tasks": "counter",
        "ringlet_celery_task_duration_seconds": "histogram",
        "ringlet_media_encode_duration_seconds": "histogram",
        "ringlet_metrics_source_up": "gauge",
    }
    assert {name: families[name].type for name in expected if name in families} == expected
    assert sample(families, "ringlet_metrics_source_up", source="database") == 1
    assert sample(families, "ringlet_metrics_source_up", source="broker") == 1
    assert sample(families, "ringlet_metrics_source_up", source="backups") == 1
    assert sample(families, "ringlet_metrics_source_up", source="outbox") == 1


@pytest.mark.django_db
def test_without_a_token_metrics_refuse_requests_that_came_through_the_ingress(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_HOST=POD_IP).status_code == 200
    forwarded = client.get("/metrics", HTTP_HOST="learn.example.com", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert forwarded.status_code == 403
    assert b"ringlet_" not in forwarded.content
    assert client.get("/metrics", HTTP_FORWARDED="for=203.0.113.9").status_code == 403
    # Not every proxy adds X-Forwarded-For: any proxy header means "through the ingress".
    for header, value in PROXY_HEADERS.items():
        assert client.get("/metrics", HTTP_HOST=POD_IP, **{header: value}).status_code == 403, header


@pytest.mark.django_db
def test_with_a_token_metrics_need_it_as_a_bearer_token(client, settings):
    settings.METRICS_TOKEN = "s3cret-metrics-token"
    assert client.get("/metrics", HTTP_HOST=POD_IP).status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Basic s3cret-metrics-token").status_code == 403
    right = client.get("/metrics", HTTP_HOST=POD_IP, HTTP_AUTHORIZATION="Bearer s3cret-metrics-token")
    assert right.status_code == 200
    # The token is enough, wherever the request comes from.
    via_ingress = client.get(
        "/metrics", HTTP_AUTHORIZATION="Bearer s3cret-metrics-token", HTTP_X_FORWARDED_FOR="203.0.113.9"
    )
    assert via_ingress.status_code == 200


@pytest.mark.django_db
def test_a_request_moves_its_view_and_status_counter_and_latency_histogram(client):
    labels = {"view": "account_login", "method": "GET"}
    before = scrape(client)
    assert client.get("/accounts/login/").status_code == 200
    after = scrape(client)
    responses = "django_http_responses_total_by_status_view_method"
    assert sample(after, responses, f"{responses}_total", status="200", **labels) == (
        sample(before, responses, f"{responses}_total", status="200", **labels) + 1
    )
    latency = "django_http_requests_latency_seconds_by_view_method"
    assert (
        sample(after, latency, f"{latency}_count", **labels)
        == sample(before, latency, f"{latency}_count", **labels) + 1
    )


@pytest.mark.django_db
def test_database_and_cache_errors_are_counted(client, settings):
    errors = "django_db_errors"
    before = sample(scrape(client), errors, f"{errors}_total", type="ProgrammingError")
    # On a connection opened now (every connection, present and future, is counted), so the
    # test's own transaction is not disturbed by the failed query.
    fresh = connections.create_connection("default")
    try:
        with pytest.raises(DatabaseError), fresh.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table_here")
    finally:
        fresh.close()
    assert sample(scrape(client), errors, f"{errors}_total", type="ProgrammingError") == before + 1

    # The fail-open cache answers from its fallback, and counts the read Redis did not answer.
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache.FailOpenRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }
    fails = "django_cache_get_fail"
    before = sample(scrape(client), fails, f"{fails}_total", backend="native_redis")
    assert cache.get("anything", "fallback default") == "fallback default"
    assert sample(scrape(client), fails, f"{fails}_total", backend="native_redis") == before + 1


@pytest.mark.django_db
def test_media_items_are_counted_by_status(client):
    before = scrape(client)
    item = make_media(title="Broken upload")
    type(item).objects.filter(pk=item.pk).update(status="failed")
    after = scrape(client)
    assert (
        sample(after, "ringlet_media_items", status="failed")
        == sample(before, "ringlet_media_items", status="failed") + 1
    )
    # Every status is reported, zeros included, so a dashboard never loses a series.
    assert {s.labels["status"] for s in after["ringlet_media_items"].samples} == set(type(item).Status.values)


@pytest.mark.django_db
def test_queue_lengths_count_the_tasks_waiting_in_the_broker(client, settings, celery_app):
    # A broker database of this test's own, where no worker consumes.
    base, _, db = settings.CELERY_BROKER_URL.rpartition("/")
    url = f"{base}/{(int(db or 0) + 9) % 16}"
    settings.CELERY_BROKER_URL = url
    with celery_app.connection_for_write(url) as conn:
        conn.default_channel.client.delete("media", "default")
        for _ in range(3):
            celery_app.send_task("media_library.tasks.transcode", args=[0], queue="media", connection=conn)
        celery_app.send_task("portal.tasks.clear_expired_sessions", queue="default", connection=conn)
        try:
            families = scrape(client)
        finally:
            conn.default_channel.client.delete("media", "default")
    assert sample(families, "ringlet_celery_queue_length", queue="media") == 3
    assert sample(families, "ringlet_celery_queue_length", queue="default") == 1


@pytest.mark.django_db(transaction=True)
def test_a_task_run_by_a_real_worker_moves_its_outcome_counter_and_duration_histogram(client, celery_worker):
    task = "portal.tasks.clear_expired_sessions"
    before = scrape(client)
    count = sample(before, "ringlet_celery_tasks", "ringlet_celery_tasks_total", task=task, state="SUCCESS")
    runs = sample(
        before,
        "ringlet_celery_task_duration_seconds",
        "ringlet_celery_task_duration_seconds_count",
        task=task,
    )

    clear_expired_sessions.delay().get(timeout=30)

    def counted():
        families = scrape(client)
        done = sample(
            families, "ringlet_celery_tasks", "ringlet_celery_tasks_total", task=task, state="SUCCESS"
        )
        return families if done == count + 1 else None

    # The worker records the outcome right after storing the result.
    after = wait_for(counted, timeout=10, message="the task's outcome in /metrics")
    duration = "ringlet_celery_task_duration_seconds"
    assert sample(after, duration, f"{duration}_count", task=task) == runs + 1
    assert sample(after, duration, f"{duration}_bucket", task=task, le="+Inf") == runs + 1


def test_task_metrics_are_kept_in_redis_for_any_web_process_to_read(settings):
    """What the worker writes (task_metrics.record) is what the web process reads."""
    task = f"tests.metrics.example-{free_port()}"
    task_metrics.record(task, "FAILURE", 0.3)
    task_metrics.record(task, "SUCCESS", 42.0)
    counts, histograms = task_metrics.read()
    assert counts[(task, "FAILURE")] == 1 and counts[(task, "SUCCESS")] == 1
    buckets, total = histograms[task]
    assert total == pytest.approx(42.3)
    assert buckets["0.5"] == 1 and buckets["60.0"] == 2 and buckets["+Inf"] == 2 and "0.1" not in buckets


@pytest.mark.django_db
def test_queue_age_is_how_long_the_oldest_waiting_task_has_waited(client, settings, celery_app):
    """Every message carries its send time (a header stamped on publish); the oldest one's
    age is the queue's age, and an empty queue is 0 s old."""
    base, _, db = settings.CELERY_BROKER_URL.rpartition("/")
    url = f"{base}/{(int(db or 0) + 9) % 16}"
    settings.CELERY_BROKER_URL = url
    header = task_metrics.SENT_AT_HEADER
    # The queues' keys as kombu writes them: after the run's key prefix, when one is set.
    prefix = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("global_keyprefix", "")
    default, media = f"{prefix}default", f"{prefix}media"
    redis_client = redis.Redis.from_url(url)
    with celery_app.connection_for_write(url) as conn:
        redis_client.delete(media, default)
        try:
            celery_app.send_task("portal.tasks.clear_expired_sessions", queue="default", connection=conn)
            # A retry copies its first attempt's headers: the stamp is the new publish's all the same.
            celery_app.send_task(
                "portal.tasks.clear_expired_sessions",
                queue="default",
                connection=conn,
                headers={header: time.time() - 3600},
            )
            oldest, newest = (json.loads(redis_client.lindex(default, i)) for i in (-1, 0))
            assert time.time() - newest["headers"][header] < 60
            assert time.time() - oldest["headers"][header] < 60
            fresh = scrape(client)
            # The oldest message as if it had waited two minutes since it was stamped.
            oldest["headers"][header] -= 120
            redis_client.lset(default, -1, json.dumps(oldest))
            waited = scrape(client)
        finally:
            redis_client.delete(media, default)
        emptied = scrape(client)
    age = "ringlet_celery_queue_oldest_age_seconds"
    assert sample(fresh, age, queue="default") < 60
    assert 120 <= sample(waited, age, queue="default") < 180
    assert sample(waited, age, queue="media") == 0
    assert waited[age].type == "gauge"
    assert sample(emptied, age, queue="default") == 0


@pytest.mark.django_db
def test_completions_without_an_issued_certificate_after_an_hour_are_counted(client, course):
    from courses.models import Certificate, Enrollment
    from tests.factories import UserFactory

    before = sample(scrape(client), "ringlet_certificates_not_issued")
    now = timezone.now()
    waiting = Enrollment.objects.create(
        user=UserFactory(), course=course, completed_at=now - datetime.timedelta(hours=2)
    )
    # Just completed: its task may still be running, so not counted yet.
    Enrollment.objects.create(
        user=UserFactory(), course=course, completed_at=now - datetime.timedelta(minutes=5)
    )
    # Issued (a PDF, emailed): not counted.
    issued = Enrollment.objects.create(
        user=UserFactory(), course=course, completed_at=now - datetime.timedelta(hours=3)
    )
    issued_fields = {"student_name": "A student", "course_title": course.title, "completed_at": now}
    Certificate.objects.create(
        user=issued.user, course=course, file="certificates/issued.pdf", emailed_at=now, **issued_fields
    )
    assert sample(scrape(client), "ringlet_certificates_not_issued") == before + 1
    Certificate.objects.create(
        user=waiting.user, course=course, file="certificates/late.pdf", emailed_at=now, **issued_fields
    )
    assert sample(scrape(client), "ringlet_certificates_not_issued") == before


@pytest.mark.django_db
def test_the_newest_complete_backups_time_is_exposed_and_zero_without_one(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the backups' storage is the default one in the tests
    metrics.newest_backup.forget()
    assert sample(scrape(client), "ringlet_backup_newest_timestamp_seconds") == 0
    assert sample(scrape(client), "ringlet_metrics_source_up", source="backups") == 1

    storage = backups.backup_storage()
    for stamp, manifest in (
        ("20261130T031700Z", True),
        ("20261201T031700Z", True),
        ("20261202T031700Z", False),
    ):
        storage.save(f"backups/ringlet-{stamp}.dump", ContentFile(b"PGDMP"))
        if manifest:  # the newest has no manifest: an upload that failed, never counted
            body = {"name": f"ringlet-{stamp}", "size": 5, "sha256": "0" * 64}
            storage.save(f"backups/ringlet-{stamp}.json", ContentFile(json.dumps(body).encode()))
    # Read at most every few minutes per process: the cached 0 stays until then.
    assert sample(scrape(client), "ringlet_backup_newest_timestamp_seconds") == 0
    metrics.newest_backup.forget()
    expected = datetime.datetime(2026, 12, 1, 3, 17, tzinfo=datetime.UTC).timestamp()
    assert sample(scrape(client), "ringlet_backup_newest_timestamp_seconds") == expected
