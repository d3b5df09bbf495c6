"""Issue 22: nothing is lost when Redis, a worker or the mail server fails.

Real processes throughout: gunicorn, Celery workers and beat on a Redis of the test's own
(``RedisServer``), and a mail server of the test's own (``MailServer``) that delivers or hangs.
Their timeouts are shortened through their environment (``FAST``); the figures for the
production defaults are in the README's "Failures" section.

The test process's own on-commit relay (the listeners' outbox rows for the data it builds)
publishes to the same Redis (``relay_to``), so only these tests' workers run these tasks.
"""

import os
import re
import signal
import time
from pathlib import Path

import pytest
import requests
from django.contrib.auth import get_user_model
from wagtail.models import Collection
from wagtailmedia import get_media_model

from courses.models import Certificate, Enrollment
from courses.services import enroll
from lessons.quiz import quizzes_of
from lessons.services import set_lesson_complete
from outbox import relay
from outbox.models import Message
from tests.account_fixtures import PASSWORD, make_student
from tests.mail_server import MailServer
from tests.page_fixtures import add_quiz, lessons_of
from tests.portal.test_redis_outage import tiny_video
from tests.processes import BASE_DIR, CELERY, Process, RedisServer, child_env, free_port, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
GUNICORN = str(Path(BASE_DIR) / ".venv" / "bin" / "gunicorn")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Production's limits, scaled down: a 10 s hard limit, retries after 2, 4 s, a 26 s visibility
# timeout (it must outlast the hard limit plus the claim's 15 s margin), beat's relay every 2 s.
FAST = {
    "OUTBOX_RELAY_EVERY": 2,
    "EMAIL_TIMEOUT": 2,
    "EMAIL_RETRY_BACKOFF": 2,
    "TASK_RETRY_BACKOFF_MAX": 4,
    "CELERY_TASK_SOFT_TIME_LIMIT": 8,
    "CELERY_TASK_TIME_LIMIT": 10,
    "CELERY_VISIBILITY_TIMEOUT": 26,
}


@pytest.fixture(scope="module")
def mail():
    server = MailServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def own_redis(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


def portal_env(own_redis, mail, broker_db=1, **extra):
    """A child's environment: the test's Redis as cache (db 0) and broker, the test's mail server."""
    return child_env(
        REDIS_URL=f"{own_redis.url}/0",
        CELERY_BROKER_URL=f"{own_redis.url}/{broker_db}",
        TEST_EMAIL_URL=mail.url,
        **{**FAST, **extra},
    )


def start_worker(name, env, log_dir, queues="default,media"):
    worker = Process(
        [CELERY, "-A", "portal", "worker", "-Q", queues, "-c", "2", "-n", f"{name}@%h", "-l", "info"]
        + ["--without-mingle", "--without-gossip"],
        env,
        log_dir / f"{name}.log",
    )
    try:
        wait_for(lambda: " ready." in worker.output(), timeout=60, message=f"worker {name} to start")
    except AssertionError:
        worker.stop()
        raise AssertionError(worker.output()[-3000:]) from None
    return worker


@pytest.fixture(scope="module")
def worker(own_redis, mail, django_db_setup, django_db_blocker, tmp_path_factory):
    """One worker on both queues for the module, talking to the test's Redis and mail server."""
    with django_db_blocker.unblock():
        env = portal_env(own_redis, mail)
    process = start_worker("shared", env, tmp_path_factory.mktemp("worker"))
    yield process
    process.stop()


@pytest.fixture
def relay_to(celery_app, monkeypatch):
    """Point this process's on-commit relay at a broker of the test's own."""
    connections = []

    def point(url):
        connection = celery_app.connection_for_write(url)
        connections.append(connection)
        monkeypatch.setattr(relay._on_commit, "connection", connection)

    yield point
    monkeypatch.undo()
    for connection in connections:
        connection.release()


def complete_course(user, course):
    enroll(user, course)
    for lesson in lessons_of(course):
        set_lesson_complete(user, lesson)


def certificate_mail(mail, user, course):
    return [m for m in mail.to(user.email) if m.subject == f"Your certificate for “{course.title}”"]


# --- Redis stopped: every request succeeds; Redis back: every task runs, once ------------------------
def ok(url):
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.RequestException:
        return False


def form_token(session, url):
    page = session.get(url, timeout=10)
    assert page.status_code == 200, (url, page.status_code)
    return CSRF.search(page.text).group(1)


def log_in(session, url, fields):
    token = form_token(session, url)
    response = session.post(
        url, data={**fields, "csrfmiddlewaretoken": token}, timeout=10, allow_redirects=False
    )
    assert response.status_code == 302, response.text[:500]


def timed_post(session, url, data, files=None):
    """POST with the session's CSRF cookie; returns ``(status, seconds)``."""
    token = session.cookies["csrftoken"]
    started = time.monotonic()
    response = session.post(
        url,
        data={**data, "csrfmiddlewaretoken": token},
        files=files,
        headers={"X-CSRFToken": token},
        timeout=60,
        allow_redirects=False,
    )
    return response.status_code, round(time.monotonic() - started, 2)


def test_with_redis_down_every_request_succeeds_and_each_task_runs_once_when_it_is_back(
    own_redis, mail, worker, relay_to, build_course, tmp_path
):
    relay_to(f"{own_redis.url}/1")
    quiz_course = build_course("Outage quiz course", modules=1, per_module=1)
    quiz_lesson = add_quiz(lessons_of(quiz_course)[0].specific)
    last_course = build_course("Outage last lesson course", modules=1, per_module=2)
    student = make_student("learner@example.com")
    enroll(student, last_course)
    first, last = lessons_of(last_course)
    set_lesson_complete(student, first)
    get_user_model().objects.create_superuser("boss", "boss@example.com", PASSWORD)
    # The set-up's own confirmation goes out first, so what follows is the outage's alone.
    wait_for(lambda: Enrollment.objects.get(user=student).confirmation_sent_at, message="the set-up's email")
    mail.clear()

    port = free_port()
    env = portal_env(
        own_redis, mail, GUNICORN_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY=1, GUNICORN_THREADS=2
    )
    web = Process([GUNICORN, "-c", "gunicorn.conf.py"], env, tmp_path / "gunicorn.log")
    beat = Process(
        [CELERY, "-A", "portal", "beat", "-l", "info", "--pidfile=", "-s", str(tmp_path / "beat")],
        env,
        tmp_path / "beat.log",
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: ok(base + "/health/"), timeout=60, message="gunicorn")
        wait_for(lambda: "Sending due task outbox-relay" in beat.output(), timeout=60, message="beat")
        learner, boss = requests.Session(), requests.Session()
        log_in(learner, f"{base}/accounts/login/", {"login": student.email, "password": PASSWORD})
        log_in(boss, f"{base}/admin/login/", {"username": "boss", "password": PASSWORD})
        add_media = f"{base}/admin/media/video/add/"
        form_token(boss, add_media)
        quiz = quizzes_of(quiz_lesson)[0]
        answers = {q.field_name: sorted(q.correct_ids) for q in quiz.questions}
        visitor = requests.Session()
        signup = f"{base}/accounts/signup/"
        form_token(visitor, signup)

        own_redis.stop()
        with tiny_video(tmp_path).open("rb") as video:
            answered = {
                "enroll": timed_post(learner, f"{base}/learn/courses/{quiz_course.pk}/enroll/", {}),
                "pass the quiz": timed_post(
                    learner, f"{base}/learn/lessons/{quiz_lesson.pk}/quiz/{quiz.id}/", answers
                ),
                "complete the last lesson": timed_post(
                    learner, f"{base}/learn/lessons/{last.pk}/complete/", {}
                ),
                "upload media": timed_post(
                    boss,
                    add_media,
                    {
                        "title": "Uploaded while Redis was down",
                        "collection": Collection.get_first_root_node().pk,
                    },
                    files={"file": ("tiny.mp4", video, "video/mp4")},
                ),
                "sign up": timed_post(
                    visitor,
                    signup,
                    {
                        "name": "Newcomer",
                        "email": "newcomer@example.com",
                        "password1": PASSWORD,
                        "password2": PASSWORD,
                    },
                ),
            }
        print("Redis down, answers (status, seconds):", answered)
        assert {name: status for name, (status, _) in answered.items()} == dict.fromkeys(answered, 302)
        dashboard = learner.get(f"{base}/dashboard/", timeout=10)
        assert dashboard.status_code == 200 and "Outage quiz course" in dashboard.text

        # Everything the requests started waits in PostgreSQL.
        media = get_media_model().objects.get(title="Uploaded while Redis was down")
        waiting = {
            (task, *args)
            for task, args in Message.objects.filter(sent_at__isnull=True).values_list("task", "args")
        }
        enrollment = Enrollment.objects.get(user=student, course=quiz_course)
        assert waiting == {
            ("courses.tasks.send_enrollment_confirmation", enrollment.pk),
            ("courses.tasks.issue_certificate", student.pk, quiz_course.pk),
            ("courses.tasks.issue_certificate", student.pk, last_course.pk),
            ("media_library.tasks.transcode", media.pk),
        }
        # The sign-up's verification email does not need Redis: it went out at once.
        assert len(mail.to("newcomer@example.com")) == 1

        own_redis.start()
        back = time.monotonic()

        def all_done():
            media.refresh_from_db()
            return (
                media.status == "ready"
                and certificate_mail(mail, student, quiz_course)
                and certificate_mail(mail, student, last_course)
                and [
                    m
                    for m in mail.to(student.email)
                    if m.subject == f"You are enrolled in “{quiz_course.title}”"
                ]
            )

        wait_for(all_done, timeout=120, interval=0.5, message="every task to have run once Redis is back")
        recovered = round(time.monotonic() - back, 1)
        print(f"Redis back: everything done {recovered} s later")
        # Nothing runs twice: wait for the relay to have nothing left, and a few runs of it more.
        wait_for(lambda: not Message.objects.filter(sent_at__isnull=True).exists(), timeout=30)
        time.sleep(3 * FAST["OUTBOX_RELAY_EVERY"])
    finally:
        if own_redis.process is None:
            own_redis.start()
        web.stop()
        beat.stop()

    subjects = sorted(m.subject for m in mail.to(student.email))
    assert subjects == sorted(
        [
            f"You are enrolled in “{quiz_course.title}”",
            f"Your certificate for “{quiz_course.title}”",
            f"Your certificate for “{last_course.title}”",
        ]
    ), subjects
    assert Certificate.objects.filter(user=student, emailed_at__isnull=False).count() == 2
    assert Enrollment.objects.get(pk=enrollment.pk).confirmation_sent_at is not None
    encodes = re.findall(r"media_library\.tasks\.encode\[[^\]]+\] succeeded[^\n]*'ready'", worker.output())
    assert len(encodes) == 1, worker.output()[-4000:]
    assert set(media.renditions.values_list("version", flat=True)) == {media.version}
    log = web.output()
    assert " 500 " not in log and "Traceback" not in log, log[-3000:]
    assert "outbox: could not publish" in log  # the on-commit relay tried, failed fast, and left it


# --- A worker killed (SIGKILL) in the middle of a certificate task ------------------------------------
def test_a_certificate_task_killed_with_its_worker_is_finished_within_two_minutes_of_a_new_worker(
    own_redis, mail, relay_to, build_course, tmp_path
):
    # Workers of their own on broker database 2, so the module's worker cannot take the task.
    relay_to(f"{own_redis.url}/2")
    mail.clear()
    mail.hang = True  # the task will be stuck talking to the mail server when it is killed
    doomed = start_worker(
        "doomed", portal_env(own_redis, mail, broker_db=2, EMAIL_TIMEOUT=60), tmp_path, "default"
    )
    survivor = None
    try:
        course = build_course("Killed certificate course", modules=1, per_module=1)
        user = make_student("killed@example.com")
        complete_course(user, course)
        # Both of the worker's processes are stuck on the mail server: the enrollment's
        # confirmation and the certificate, stored and claimed for emailing.
        wait_for(
            lambda: (
                len(mail.connections) == 2
                and Certificate.objects.filter(user=user, email_claimed_at__isnull=False).exists()
            ),
            timeout=60,
            message="the certificate task to reach the mail server",
        )
        certificate = Certificate.objects.get(user=user, course=course)
        assert certificate.file and not certificate.emailed_at

        os.killpg(doomed.popen.pid, signal.SIGKILL)  # the worker and its pool processes, at once
        doomed.popen.wait(10)
        mail.hang = False
        survivor = start_worker("survivor", portal_env(own_redis, mail, broker_db=2), tmp_path, "default")
        started = time.monotonic()
        # Redis hands the unacknowledged task out again after the visibility timeout; by then
        # the dead worker's claim on the email has expired.
        wait_for(
            lambda: Certificate.objects.get(pk=certificate.pk).emailed_at,
            timeout=120,
            interval=0.5,
            message="the certificate to be emailed after the new worker started",
        )
        print(f"certificate finished {time.monotonic() - started:.1f} s after the new worker started")
    finally:
        mail.hang = False
        doomed.stop()
        if survivor:
            survivor.stop()
    assert len(certificate_mail(mail, user, course)) == 1
    assert Certificate.objects.filter(user=user, course=course).count() == 1
    wait_for(
        lambda: Enrollment.objects.get(user=user).confirmation_sent_at, timeout=30, message="the confirmation"
    )
    assert [m.subject for m in mail.to(user.email)].count(f"You are enrolled in “{course.title}”") == 1
    message = Message.objects.get(task="courses.tasks.issue_certificate", args=[user.pk, course.pk])
    assert f"courses.tasks.issue_certificate[{relay.task_id(message)}] received" in survivor.output()


# --- A mail server that accepts and never answers -----------------------------------------------------
def test_a_hung_mail_server_fails_the_send_within_email_timeout_and_a_retry_delivers(
    own_redis, mail, worker, relay_to, build_course
):
    relay_to(f"{own_redis.url}/1")
    mail.clear()
    mail.hang = True
    try:
        course = build_course("Hung mail course", modules=1, per_module=1)
        user = make_student("patient@example.com")
        complete_course(user, course)
        wait_for(
            lambda: mail.connections and mail.connections[0].closed, timeout=60, message="a first attempt"
        )
        first = mail.connections[0]
        # The worker gave up on its own within EMAIL_TIMEOUT (2 s here), not at a time limit.
        assert first.closed - first.opened < FAST["EMAIL_TIMEOUT"] + 1.5

        def released():
            certificate = Certificate.objects.get(user=user, course=course)
            return certificate.email_claimed_at is None and certificate.emailed_at is None and certificate

        certificate = wait_for(released, timeout=10, interval=0.05, message="the claim to be released")
        mail.hang = False
        wait_for(
            lambda: Certificate.objects.get(pk=certificate.pk).emailed_at,
            timeout=30,
            message="a later attempt",
        )
    finally:
        mail.hang = False
    assert len(certificate_mail(mail, user, course)) == 1
    # smtplib reports the silent server as gone ("Connection unexpectedly closed: timed out").
    failures = re.findall(r"issue_certificate: the mail server failed \((.*)\); retrying in", worker.output())
    assert failures and all("timed out" in failure for failure in failures), failures
