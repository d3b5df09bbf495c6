"""CPU per request, in-process: Django's test client over a site's pages, each page's median of
process CPU time per request across rounds, and its query count.

A cheap A/B on a shared, noisy machine: process CPU time moves far less with the other
processes' load than wall-clock rates do (bench/run.py measures those through gunicorn and wrk).
Run it in two checkouts against the same database (for example `make run`'s demo content) to
compare them:

    DATABASE_URL=... REDIS_URL=... DJANGO_SETTINGS_MODULE=portal.settings.production \\
        SECRET_KEY=... ALLOWED_HOSTS=testserver .venv/bin/python bench/cpu_per_request.py [requests]
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from courses.models import Enrollment  # noqa: E402
from lessons.models import LessonPage  # noqa: E402


def pages():
    """(label, url, client): the demo's home, catalogue, its student's course and last lesson."""
    anonymous, student = Client(), Client()
    user = get_user_model().objects.get(email="student@example.com")
    student.force_login(user)
    course = Enrollment.objects.filter(user=user).first().course
    lesson = LessonPage.objects.live().descendant_of(course).order_by("path").last()
    return [
        ("home, anonymous", "/", anonymous),
        ("catalogue, anonymous", "/courses/", anonymous),
        ("course page, anonymous", course.url, anonymous),
        ("course page, enrolled student", course.url, student),
        ("last lesson, enrolled student", lesson.url, student),
        ("dashboard, enrolled student", "/dashboard/", student),
    ]


def measure(url, client, requests, rounds=5):
    for _ in range(5):  # warm: page cache, outline cache, template loaders
        assert client.get(url, secure=True).status_code == 200, url
    per_round = []
    for _ in range(rounds):
        start = time.process_time()
        for _ in range(requests):
            client.get(url, secure=True)
        per_round.append((time.process_time() - start) / requests * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(url, secure=True)
    return statistics.median(per_round), len(queries)


if __name__ == "__main__":
    requests = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    print(f"| page | CPU ms per request (median of 5 rounds of {requests}) | queries |")
    print("|---|---|---|")
    for label, url, client in pages():
        cpu, queries = measure(url, client, requests)
        print(f"| {label} | {cpu:.2f} | {queries} |", flush=True)
