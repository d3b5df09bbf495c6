"""Shared fixtures. Slow ones (a Celery worker, encoded media, browsers) are session-scoped."""

import pytest

from tests.processes import CELERY, Process, child_env, wait_for


@pytest.fixture(scope="session")
def celery_app():
    from portal.celery import app

    return app


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, celery_app, tmp_path_factory):
    """A real Celery worker process on the default and media queues, against the test database.

    Tests that use it must commit their data (``django_db(transaction=True)``),
    since the worker reads the database through its own connection.
    """
    with django_db_blocker.unblock():
        env = child_env()
    # Messages left by an earlier run would point at rows that no longer exist.
    celery_app.control.purge()
    log = tmp_path_factory.mktemp("celery") / "worker.log"
    worker = Process(
        [
            CELERY,
            "-A",
            "portal",
            "worker",
            "-Q",
            "default,media",
            "-c",
            "2",
            "-l",
            "info",
            "-n",
            "test-worker@%h",
            "--without-mingle",
            "--without-gossip",
        ],
        env=env,
        log_path=log,
    )
    try:
        wait_for(
            lambda: worker.popen.poll() is None and celery_app.control.inspect(timeout=1).ping(),
            timeout=60,
            message="the Celery worker to answer a ping",
        )
    except AssertionError:
        worker.stop()
        raise AssertionError(f"worker did not start:\n{worker.output()}") from None
    yield worker
    worker.stop()
