"""The student dashboard at /dashboard/."""

from django.shortcuts import resolve_url
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courses.models import Enrollment
from courses.services import enroll
from lessons.services import set_lesson_complete
from tests.page_fixtures import lessons_of


def test_dashboard_needs_a_login(client, settings):
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response.url == f"{resolve_url(settings.LOGIN_URL)}?next=/dashboard/"


def test_dashboard_lists_my_courses_with_progress_activity_and_continue_links(client, student, build_course):
    python = build_course("Python", modules=1, per_module=4)
    django = build_course("Django", modules=1, per_module=2)
    build_course("Not mine", modules=1, per_module=1)
    enroll(student, python)
    enroll(student, django)
    lessons = lessons_of(python)
    set_lesson_complete(student, lessons[0])
    for lesson in lessons_of(django):
        set_lesson_complete(student, lesson)
    Enrollment.objects.filter(course=python).update(
        last_activity_at=timezone.now() - timezone.timedelta(hours=3)
    )

    client.force_login(student)
    html = client.get("/dashboard/").content.decode()
    in_progress, completed = html.split('id="completed-heading"')
    assert "Python" in in_progress and "Django" not in in_progress
    assert "1 of 4 lessons complete (25%)" in in_progress
    assert f'href="{lessons[1].url}">Continue: “{lessons[1].title}”' in in_progress
    assert "Last activity: <time" in in_progress and "3\xa0hours ago" in in_progress
    assert "Django" in completed and "2 of 2 lessons complete (100%)" in completed
    assert "Completed on" in completed
    assert "Not mine" not in html
    assert 'href="/dashboard/" aria-current="page">My courses' in html


def test_dashboard_queries_do_not_grow_with_courses(client, student, build_course):
    from django.db import connection

    counts = []
    for batch in range(2):
        for n in range(1 + batch * 3):
            course = build_course(f"Batch {batch} course {n}", modules=2, per_module=2)
            enroll(student, course)
            set_lesson_complete(student, lessons_of(course)[0])
        client.force_login(student)
        client.get("/dashboard/")
        with CaptureQueriesContext(connection) as queries:
            client.get("/dashboard/")
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_empty_dashboard_says_so(client, student):
    client.force_login(student)
    html = client.get("/dashboard/").content.decode()
    assert "You are not taking any course at the moment." in html
    assert "No completed courses yet." in html


def test_dashboard_has_a_meta_description(client, student):
    # Not a Wagtail page, so base.html's page-based description has nothing to go on.
    client.force_login(student)
    html = client.get("/dashboard/").content.decode()
    assert '<meta name="description" content="Your courses:' in html
