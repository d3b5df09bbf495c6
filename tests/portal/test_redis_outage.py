"""Issue 11: a Redis outage is not a site outage.

A real gunicorn serves the test database with a Redis of the test's own as its cache and
its broker, as in production; the test stops that Redis, walks every kind of page, both
logins, the API, the dashboard and an upload in the admin, then starts Redis again, and a
real worker on that Redis makes the upload from the outage ready.
"""

import re
import subprocess
from pathlib import Path

import pytest
import requests
from django.contrib.auth import get_user_model

from courses.services import enroll
from tests.account_fixtures import PASSWORD, make_student
from tests.factories import LessonPageFactory
from tests.processes import BASE_DIR, CELERY, Process, RedisServer, child_env, free_port, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
GUNICORN = str(Path(BASE_DIR) / ".venv" / "bin" / "gunicorn")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def cache_redis(tmp_path):
    server = RedisServer(tmp_path / "redis")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def site(build_course):
    course = build_course("Outage course", modules=1, per_module=1)
    free = LessonPageFactory(parent=course, title="Free outage lesson", free_preview=True)
    student = make_student("outage@example.com")
    enroll(student, course)
    get_user_model().objects.create_superuser("boss", "boss@example.com", PASSWORD)
    from wagtail.models import Collection

    # Transactional tests re-create the root collection, so its id is not always 1.
    root = Collection.get_first_root_node()
    return {"course": course, "free": free, "catalogue": course.get_parent(), "collection": root.pk}


def portal_env(cache_redis, **extra):
    """The child processes' environment: the test's Redis is their cache and their broker."""
    return child_env(REDIS_URL=f"{cache_redis.url}/0", CELERY_BROKER_URL=f"{cache_redis.url}/1", **extra)


@pytest.fixture
def server(cache_redis, tmp_path, site):
    port = free_port()
    env = portal_env(cache_redis, GUNICORN_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY=1, GUNICORN_THREADS=2)
    web = Process([GUNICORN, "-c", "gunicorn.conf.py"], env, tmp_path / "gunicorn.log")
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: ok(base + "/health/"), timeout=60, message="gunicorn")
    except AssertionError:
        web.stop()
        raise AssertionError(web.output()) from None
    yield base, web
    web.stop()


def ok(url):
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.RequestException:
        return False


def log_in(session, url, fields):
    form = session.get(url, timeout=10)
    assert form.status_code == 200, form.text[:500]
    token = CSRF.search(form.text).group(1)
    return session.post(url, data={**fields, "csrfmiddlewaretoken": token}, timeout=10, allow_redirects=False)


def tiny_video(tmp_path):
    path = tmp_path / "tiny.mp4"
    subprocess.run(
        ["ffmpeg", "-y", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=10", "-t", "1"]
        + ["-c:v", "libx264", "-pix_fmt", "yuv420p", str(path)],
        check=True,
    )
    return path


def walk_the_site(base, site, tmp_path, label):
    """Every page type, both logins, the API, the dashboard and an admin upload; answers 2xx/3xx."""
    anonymous = requests.Session()
    for path in ("/", site["catalogue"].url, site["course"].url, site["free"].url, "/api/courses/"):
        response = anonymous.get(base + path, timeout=10)
        assert response.status_code == 200, (label, path, response.status_code, response.text[:300])
    assert anonymous.get(f"{base}/api/lessons/", timeout=10).status_code == 200

    student = requests.Session()
    response = log_in(
        student, f"{base}/accounts/login/", {"login": "outage@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302, (label, response.text[:500])
    dashboard = student.get(f"{base}/dashboard/", timeout=10, allow_redirects=False)
    assert dashboard.status_code == 200 and "Outage course" in dashboard.text, label

    staff = requests.Session()
    response = log_in(staff, f"{base}/admin/login/", {"username": "boss", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/", (
        label,
        response.text[:500],
    )
    assert staff.get(f"{base}/admin/pages/", timeout=10).status_code == 200, label
    add = staff.get(f"{base}/admin/media/video/add/", timeout=10)
    assert add.status_code == 200, label
    with tiny_video(tmp_path).open("rb") as video:
        uploaded = staff.post(
            f"{base}/admin/media/video/add/",
            data={
                "title": f"Uploaded {label}",
                "collection": site["collection"],
                "csrfmiddlewaretoken": CSRF.search(add.text).group(1),
            },
            files={"file": ("tiny.mp4", video, "video/mp4")},
            timeout=30,
            allow_redirects=False,
        )
    assert uploaded.status_code == 302, (label, uploaded.text[:800])
    return student


def test_with_redis_stopped_and_restarted_nothing_answers_500(server, cache_redis, site, tmp_path):
    base, web = server
    from wagtailmedia import get_media_model

    before = walk_the_site(base, site, tmp_path, "before the outage")

    cache_redis.stop()
    during = walk_the_site(base, site, tmp_path, "redis down")
    # A session made before the outage still works: cached_db reads it from the database.
    assert before.get(f"{base}/dashboard/", timeout=10, allow_redirects=False).status_code == 200
    ready = requests.get(f"{base}/ready/", timeout=10)
    assert ready.status_code == 200 and ready.json()["failing"] == ["cache", "broker"]

    cache_redis.start()
    wait_for(
        lambda: requests.get(f"{base}/ready/", timeout=10).json()["failing"] == [],
        timeout=20,
        message="/ready/ to see Redis again",
    )
    walk_the_site(base, site, tmp_path, "redis back")
    # Sessions made during the outage survive Redis coming back.
    assert during.get(f"{base}/dashboard/", timeout=10, allow_redirects=False).status_code == 200
    # Logging out during the outage is not undone by the copy Redis kept.
    cache_redis.stop()
    before.post(
        f"{base}/accounts/logout/",
        data={"csrfmiddlewaretoken": before.cookies["csrftoken"]},
        headers={"X-CSRFToken": before.cookies["csrftoken"]},
        timeout=10,
    )
    cache_redis.start()
    wait_for(
        lambda: requests.get(f"{base}/ready/", timeout=10).json()["failing"] == [],
        timeout=20,
        message="/ready/ to see Redis again",
    )
    assert before.get(f"{base}/dashboard/", timeout=10, allow_redirects=False).status_code == 302

    assert "cache unreachable" in web.output() and "cache reachable again" in web.output()
    assert " 500 " not in web.output() and "Traceback" not in web.output(), web.output()[-3000:]
    media = get_media_model().objects
    assert media.filter(title__startswith="Uploaded").count() == 3

    # The upload made while Redis (the broker too) was down was saved but never enqueued. A
    # worker and beat (embedded, -B) on the restored Redis: beat's media sweep, every minute,
    # hands it to the broker and the worker encodes it, as in production.
    worker = Process(
        [CELERY, "-A", "portal", "worker", "-B", "-s", str(tmp_path / "beat-schedule")]
        + ["-Q", "default,media", "-c", "1", "--without-mingle", "-l", "info"],
        portal_env(cache_redis),
        tmp_path / "worker.log",
    )
    try:
        wait_for(
            lambda: media.get(title="Uploaded redis down").status == "ready",
            timeout=180,
            message="the upload made during the outage to be ready",
        )
    except AssertionError:
        raise AssertionError(worker.output()[-3000:]) from None
    finally:
        worker.stop()
