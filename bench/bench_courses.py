"""Courses and lessons: SQL queries and wall time per page view, by size.

Run: scripts/test.sh bench/bench_courses.py -s -p no:logging
Prints one line per case; copy the figures into bench/RESULTS.md. Queries must not grow
with the number of lessons or courses (tests/courses/test_queries.py asserts it); the time
is for information on the machine at hand.
"""

import statistics
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.course_fixtures import catalogue, home  # noqa: F401
from tests.courses.test_queries import make_course
from tests.factories import CategoryFactory, CoursePageFactory, LessonPageFactory

RUNS = 5


def measure(client, url, **params):
    client.get(url, params)  # renditions and caches are created on the first view
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    # Counted now: every later request clears the connection's query log.
    count = len(queries)
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        client.get(url, params)
        times.append((time.perf_counter() - start) * 1000)
    return count, statistics.median(times)


def report(name, queries, ms):
    print(f"BENCH {name:<34} {queries:>3} queries  {ms:7.1f} ms (median of {RUNS})")


def test_bench_course_lesson_and_catalogue_pages(client, catalogue):  # noqa: F811
    for size in (5, 50):
        course = make_course(catalogue, f"Size {size}", size)
        report(f"course page, {size} lessons", *measure(client, course.url))
        last = course.get_descendants().live().last()
        report(f"lesson page, course of {size}", *measure(client, last.url))
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
