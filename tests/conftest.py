"""Shared fixtures. Slow ones (a Celery worker, encoded media, browsers) are session-scoped."""

import os
from pathlib import Path

import pytest

from tests.processes import CELERY, Process, child_env, wait_for

# Fixture modules shared by every test directory, loaded once here (never re-imported).
pytest_plugins = [
    "tests.page_fixtures",
    "tests.user_fixtures",
    "tests.account_fixtures",
    "tests.media_fixtures",
    "tests.edge_fixtures",
    "tests.language_fixtures",
]


@pytest.fixture(autouse=True)
def wagtail_initial_rows(request):
    """Put back the rows Wagtail's migrations create (default locale, root page, root collection),
    and the Editors' and Instructors' permissions on them.

    A transactional test flushes the database when it ends, taking them with it, so the
    next transactional test that builds pages would find no tree to build on. Before that flush,
    the outbox's relay thread (which publishes what the test's commits enqueued) is let finish:
    emptying the tables under its transaction deadlocks.
    """
    marker = request.node.get_closest_marker("django_db")
    if not (marker and marker.kwargs.get("transaction")):
        yield
        return
    request.getfixturevalue("transactional_db")
    from outbox import relay
    from tests.page_fixtures import wagtail_rows

    wagtail_rows()
    yield
    relay.wait_idle(timeout=30)


@pytest.fixture(scope="session", autouse=True)
def others_keys_survive_the_suite():
    """The suite shares its Redis databases with whoever else uses them (a `make run`, another
    run): a key it did not write, put there before the first test, must still be there after the
    last. The suite's own keys carry its run's prefix (portal/settings/test.py)."""
    import uuid

    import redis
    from django.conf import settings

    urls = {url for url in (settings.REDIS_URL, settings.CELERY_BROKER_URL) if url.startswith("redis")}
    clients = [redis.Redis.from_url(url, socket_connect_timeout=2) for url in sorted(urls)]
    marker = f"not-the-test-suites-{uuid.uuid4().hex}"
    try:
        for client in clients:
            client.set(marker, "kept", ex=24 * 3600)
    except redis.RedisError:
        clients = []  # no Redis to guard: the tests that need one say so themselves
    yield
    lost = [client for client in clients if client.get(marker) != b"kept"]
    for client in clients:
        client.delete(marker)
    if lost:
        pytest.fail(f"the suite deleted a key it did not write ({marker}) from {lost}")


@pytest.fixture(scope="session")
def celery_app():
    from portal.celery import app

    return app


class Workers:
    """The session's two worker processes, one per queue, as the web, worker and media-worker
    deployments run in production: a short task (a certificate, an email) never waits behind
    an encode that another test left running."""

    def __init__(self, default, media):
        self.default = default
        self.media = media

    def alive(self):
        return self.default.popen.poll() is None and self.media.popen.poll() is None

    def output(self):
        return f"--- default worker ---\n{self.default.output()}\n--- media worker ---\n{self.media.output()}"

    def stop(self):
        self.default.stop()
        self.media.stop()


def _worker(queue, concurrency, env, log_dir):
    return Process(
        [
            CELERY,
            "-A",
            "portal",
            "worker",
            "-Q",
            queue,
            "-c",
            str(concurrency),
            "-l",
            "info",
            "-n",
            f"test-{queue}@%h",
            "--without-mingle",
            "--without-gossip",
        ],
        env=env,
        log_path=log_dir / f"{queue}-worker.log",
    )


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, celery_app, tmp_path_factory):
    """Real Celery workers, on the default and the media queue, against the test database.

    Tests that use it must commit their data (``django_db(transaction=True)``),
    since the workers read the database through their own connections.
    """
    with django_db_blocker.unblock():
        env = child_env()
    # Messages left by an earlier run would point at rows that no longer exist. The broker's
    # keys carry this run's prefix (portal/settings/test.py), so only its own queues empty.
    celery_app.control.purge()
    log_dir = tmp_path_factory.mktemp("celery")
    workers = Workers(_worker("default", 2, env, log_dir), _worker("media", 1, env, log_dir))

    def both_answer():
        replies = workers.alive() and celery_app.control.inspect(timeout=1).ping()
        return replies and len(replies) == 2

    try:
        wait_for(both_answer, timeout=60, message="both Celery workers to answer a ping")
    except AssertionError:
        workers.stop()
        raise AssertionError(f"workers did not start:\n{workers.output()}") from None
    yield workers
    workers.stop()


# --- Browser tests -----------------------------------------------------------------
# Playwright drives Debian's Chromium (`playwright install` cannot download here).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
# Playwright's sync API runs an event loop in the test thread; the ORM calls a
# browser test makes around it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _as_function(expression):
    """``document.x > 1`` -> ``() => (document.x > 1)``; functions are left as they are."""
    text = expression.strip()
    if "=>" in text or text.startswith(("function", "async ")):
        return expression
    return f"() => ({text})"


@pytest.fixture(autouse=True)
def csp_safe_wait_for_function(request):
    """Playwright runs a ``wait_for_function`` *expression* string through eval inside the page,
    which the site's Content-Security-Policy (rightly) forbids, so the wait fails with EvalError.
    The same check written as a function needs no eval: turn expressions into functions, and the
    browser tests keep running under the real policy (no ``bypass_csp``)."""
    if "page" not in request.fixturenames:
        yield
        return
    from playwright.sync_api import Page

    original = Page.wait_for_function

    def wait_for_function(self, expression, *args, **kwargs):
        return original(self, _as_function(expression), *args, **kwargs)

    Page.wait_for_function = wait_for_function
    yield
    Page.wait_for_function = original


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def artifacts_dir():
    """Where browser tests save screenshots for people to look at (test-artifacts/, kept by CI)."""
    path = Path(__file__).resolve().parent.parent / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path
