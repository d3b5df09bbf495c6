"""CPU per request of the student pages, in-process (Django's test client), on a seeded bench
database: the enrolled student's course page (50 lessons), the gated lesson 50 of 50 and the
dashboard with 5 enrolled courses; each page's median of process CPU time per request across
rounds, and its query count. Run from two checkouts against the same database to compare them
(bench/RESULTS.md, issue 21):

    DATABASE_URL=.../ringlet_watchers REDIS_URL=... CACHE_KEY_PREFIX=<one per checkout> \\
    DJANGO_SETTINGS_MODULE=portal.settings.production SECRET_KEY=... ALLOWED_HOSTS=testserver \\
    SECURE_SSL_REDIRECT=False .venv/bin/python bench/student_pages_cpu.py [requests]

The database is one `bench/watchers.py` seeded (BENCH_REUSE=1 keeps it): its course "Bench …"
of 50 lessons; the student "watcher-0" is enrolled in it and in four more courses (made here with
``seed_scale`` the first time).
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402

from courses.models import CoursePage  # noqa: E402
from courses.services import enroll, is_enrolled  # noqa: E402
from lessons.models import LessonPage  # noqa: E402

# The same measurement as the issue-20 bench: CPU per request in-process, median of 5 rounds.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from cpu_per_request import measure  # noqa: E402


def pages():
    user = get_user_model().objects.get(username="watcher-0")
    course = CoursePage.objects.get(title__startswith="Bench ")
    if CoursePage.objects.count() < 5:
        from django.db import transaction

        from courses.models import CourseIndexPage
        from demo.scale import seed_scale

        with transaction.atomic():
            seed_scale(CourseIndexPage.objects.first(), 4, 10, "Extra")
    for other in CoursePage.objects.live().exclude(pk=course.pk).order_by("path")[:4]:
        if not is_enrolled(user, other):
            enroll(user, other)
    client = Client()
    client.force_login(user)
    last = LessonPage.objects.live().descendant_of(course).order_by("path").last()
    return client, [
        ("course page, 50 lessons", course.url),
        ("gated lesson 50 of 50", last.url),
        ("dashboard, 5 courses", "/dashboard/"),
    ]


if __name__ == "__main__":
    requests = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    client, urls = pages()
    print(f"| page | CPU ms per request (median of 5 rounds of {requests}) | queries |")
    print("|---|---|---|")
    for label, url in urls:
        cpu, queries = measure(url, client, requests)
        print(f"| {label} | {cpu:.2f} | {queries} |", flush=True)
