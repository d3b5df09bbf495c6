"""Courses and lessons: SQL queries and wall time per page view, by size.

Run: scripts/test.sh bench/bench_courses.py -s -p no:logging
Prints one line per case; copy the figures into bench/RESULTS.md. Queries must not grow
with the number of lessons or courses (tests/courses/test_queries.py asserts it); the time
is for information on the machine at hand.

Lessons are gated, so they are read as an enrolled student (the case that runs the most
rules: gating, enrollment, progress, playback positions). The HLS segment is one file of a
video that lesson plays, served through the permission-checked media view.
"""

import statistics
import time

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.services import enroll
from tests.courses.test_queries import make_course
from tests.factories import CategoryFactory, CoursePageFactory, LessonPageFactory, UserFactory
from tests.page_fixtures import make_media, video_lesson

RUNS = 5


def measure(client, url, **params):
    client.get(url, params)  # renditions and caches are created on the first view
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
        assert response.status_code == 200, (url, response.status_code)
    # Counted now: every later request clears the connection's query log.
    count = len(queries)
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        client.get(url, params)
        times.append((time.perf_counter() - start) * 1000)
    return count, statistics.median(times)


def report(name, queries, ms):
    print(f"BENCH {name:<40} {queries:>3} queries  {ms:7.1f} ms (median of {RUNS})")


def ready_video(title="Bench clip"):
    """A ready media item with one HLS segment in storage (the bytes are never decoded)."""
    media = make_media(title=title)
    media.status, media.version = media.Status.READY, "v1"
    media.save()
    default_storage.save(f"{media.version_prefix()}/hls/360p/seg-00000.ts", ContentFile(b"\0" * 188))
    return media


def test_bench_course_lesson_and_catalogue_pages(client, catalogue):
    student = UserFactory(username="bench-student")
    for size in (5, 50):
        course = make_course(catalogue, f"Size {size}", size)
        report(f"course page, {size} lessons (anonymous)", *measure(client, course.url))
        enroll(student, course)
        client.force_login(student)
        report(f"course page, {size} lessons (enrolled)", *measure(client, course.url))
        last = course.get_descendants().live().last()
        report(f"gated lesson page, course of {size} (enrolled)", *measure(client, last.url))
        client.logout()
    course = make_course(catalogue, "Video", 5)
    media = ready_video()
    video_lesson(course.get_children().first(), media, title="Watch this")
    enroll(student, course)
    client.force_login(student)
    segment = f"/media-files/{media.pk}/{media.version}/hls/360p/seg-00000.ts"
    report("HLS segment of a gated lesson (enrolled)", *measure(client, segment))
    client.logout()
    catalogue.courses_per_page = 50
    catalogue.save()
    for size, word in ((3, "quokka"), (30, "wombat")):
        category = CategoryFactory(slug=word)
        for n in range(size):
            LessonPageFactory(
                parent=CoursePageFactory(parent=catalogue, title=f"{word} {n}", category=category)
            )
        report(f"catalogue, {size} courses", *measure(client, catalogue.url, category=word))
        report(f"catalogue search, {size} hits", *measure(client, catalogue.url, q=word))
