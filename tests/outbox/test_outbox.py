"""The outbox: a task call exists exactly when its transaction commits, and the relay publishes it
once (skipping rows another relay holds, backing off while the broker is unreachable).

A broker that is down is a real connection to a port nobody listens on; a published
message goes to the test broker (``outbox.tasks.relay`` is the probe task: harmless if the
session's worker runs it).
"""

from datetime import timedelta

import pytest
from django.db import connections, transaction
from django.utils import timezone

from outbox import relay
from outbox.models import Message
from outbox.services import backlog, enqueue, enqueue_unless_recent, on_published, waiting
from tests.factories import UserFactory
from tests.processes import free_port, wait_for

PROBE = "outbox.tasks.relay"


@pytest.fixture
def dead_broker(celery_app):
    """A broker connection that is refused, as with Redis stopped: a publish fails in about a second."""
    connection = celery_app.connection_for_write(f"redis://127.0.0.1:{free_port()}/0")
    yield connection
    connection.release()


@pytest.mark.django_db
def test_enqueue_writes_the_call_in_the_callers_transaction(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        message = enqueue(PROBE, 1, "two", flag=True)
    assert (message.task, message.args, message.kwargs, message.sent_at) == (
        PROBE,
        [1, "two"],
        {"flag": True},
        None,
    )
    assert len(callbacks) == 1  # the relay is kicked only once it commits
    assert waiting(PROBE, 1, "two", flag=True) and not waiting(PROBE, 1)


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_no_call_behind():
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue(PROBE, 1)
        raise RuntimeError("the request failed after enqueueing")
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_arguments_must_be_json_and_a_bad_call_writes_nothing():
    with pytest.raises(TypeError):
        enqueue(PROBE, UserFactory())
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_the_relay_publishes_due_messages_oldest_first_and_marks_them_sent_once():
    published = []
    on_published(PROBE, lambda *args, **kwargs: published.append(args))
    try:
        first, second = enqueue(PROBE, 1), enqueue(PROBE, 2)
        later = enqueue(PROBE, 3)
        Message.objects.filter(pk=later.pk).update(next_attempt_at=timezone.now() + timedelta(minutes=1))

        assert relay.relay() == (2, 0)
        assert relay.relay() == (0, 0)
    finally:
        relay._published_callbacks.pop(PROBE)
    assert published == [(1,), (2,)]
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.sent_at and second.sent_at and not Message.objects.get(pk=later.pk).sent_at
    assert relay.task_id(first) == f"outbox-{first.pk}"
    assert backlog()[0] == 1


@pytest.mark.django_db
def test_with_the_broker_down_a_message_waits_with_a_growing_back_off(dead_broker):
    message = enqueue(PROBE, 1)
    assert relay.relay(connection=dead_broker) == (0, 1)
    message.refresh_from_db()
    assert (message.sent_at, message.attempts) == (None, 1)
    assert message.last_error.startswith("OperationalError") and "refused" in message.last_error
    assert message.next_attempt_at > timezone.now()
    # Not due yet: the next run leaves it alone, however often it runs.
    assert relay.relay(connection=dead_broker) == (0, 0)

    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    relay.relay(connection=dead_broker)
    message.refresh_from_db()
    assert message.attempts == 2
    assert message.next_attempt_at - timezone.now() > timedelta(seconds=1)  # 1 s, then 2 s, ... 30 s

    # The broker is back: the next due run publishes it.
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert relay.relay() == (1, 0)
    assert backlog() == (0, 0.0)


@pytest.mark.django_db(transaction=True)
def test_a_row_another_relay_holds_is_skipped_not_waited_for(dead_broker, monkeypatch):
    monkeypatch.setattr("outbox.relay.kick", lambda message_id: None)  # no on-commit relay here
    held, free = enqueue(PROBE, 1), enqueue(PROBE, 2)
    other = connections.create_connection("default")
    try:
        other.set_autocommit(False)
        with other.cursor() as cursor:
            cursor.execute("SELECT id FROM outbox_message WHERE id = %s FOR UPDATE", [held.pk])
        # The dead broker makes every attempt count, so what was attempted shows.
        assert relay.relay(connection=dead_broker) == (0, 1)
    finally:
        other.rollback()
        other.close()
    held.refresh_from_db()
    free.refresh_from_db()
    assert (held.attempts, free.attempts) == (0, 1)


@pytest.mark.django_db(transaction=True)
def test_the_on_commit_relay_publishes_from_its_thread_without_beat():
    message = enqueue(PROBE, 1)  # autocommit: committed, and the thread kicked, at once
    wait_for(lambda: Message.objects.get(pk=message.pk).sent_at, timeout=20, message="the on-commit relay")


@pytest.mark.django_db(transaction=True)
def test_the_on_commit_relay_rests_after_a_failure_and_leaves_the_rest_to_beat(monkeypatch, dead_broker):
    monkeypatch.setattr(relay._on_commit, "connection", dead_broker)
    monkeypatch.setattr(relay._on_commit, "_resting_until", 0.0)
    first = enqueue(PROBE, 1)
    wait_for(lambda: Message.objects.get(pk=first.pk).attempts == 1, timeout=20, message="the failed publish")
    second = enqueue(PROBE, 2)
    assert relay._on_commit._resting_until > 0
    monkeypatch.undo()
    # Resting: the second call was left in the outbox, untried, for beat's relay.
    second.refresh_from_db()
    assert (second.attempts, second.sent_at) == (0, None)
    assert relay.relay(ids=[second.pk]) == (1, 0)


@pytest.mark.django_db
def test_enqueue_unless_recent_does_not_double_a_waiting_call():
    assert enqueue_unless_recent(PROBE, 7, within=timedelta(minutes=5))
    assert enqueue_unless_recent(PROBE, 7, within=timedelta(minutes=5)) is None
    assert enqueue_unless_recent(PROBE, 8, within=timedelta(minutes=5))
    Message.objects.update(created_at=timezone.now() - timedelta(minutes=6))
    assert enqueue_unless_recent(PROBE, 7, within=timedelta(minutes=5))
    assert Message.objects.filter(args=[7]).count() == 2


@pytest.mark.django_db
def test_sent_messages_are_purged_after_the_keeping_period(settings):
    settings.OUTBOX_KEEP_DAYS = 7
    old_sent, old_unsent, new_sent = enqueue(PROBE, 1), enqueue(PROBE, 2), enqueue(PROBE, 3)
    Message.objects.filter(pk__in=[old_sent.pk, old_unsent.pk]).update(
        created_at=timezone.now() - timedelta(days=8)
    )
    Message.objects.filter(pk__in=[old_sent.pk, new_sent.pk]).update(sent_at=timezone.now())
    assert relay.purge() == 1
    assert set(Message.objects.values_list("pk", flat=True)) == {old_unsent.pk, new_sent.pk}


@pytest.mark.django_db
def test_operators_see_what_waits_in_the_outbox_read_only(admin_client):
    from django.urls import reverse

    waiting_message, sent_message = enqueue(PROBE, 41), enqueue(PROBE, 42)
    Message.objects.filter(pk=sent_message.pk).update(sent_at=timezone.now())
    url = reverse("admin:outbox_message_changelist")

    html = admin_client.get(url, {"sent": "no"}).content.decode()
    assert f'<a href="{reverse("admin:outbox_message_change", args=[waiting_message.pk])}' in html
    assert reverse("admin:outbox_message_change", args=[sent_message.pk]) not in html
    assert admin_client.get(reverse("admin:outbox_message_add")).status_code == 403
    detail = admin_client.get(reverse("admin:outbox_message_change", args=[waiting_message.pk]))
    assert detail.status_code == 200 and "[41]" in detail.content.decode()
