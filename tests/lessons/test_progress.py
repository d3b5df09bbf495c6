"""Marking lessons complete, course progress as lessons come and go, and completion recorded once."""

import re

import pytest
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses.models import Enrollment
from courses.services import course_progress
from lessons.models import LessonCompletion
from lessons.services import set_lesson_complete
from tests.factories import LessonPageFactory, ModulePageFactory
from tests.page_fixtures import lessons_of


def mark(client, lesson, complete=True):
    return client.post(
        reverse("lessons:mark_complete", args=[lesson.pk]), {"complete": "1" if complete else "0"}
    )


def progress_bar(html):
    """``(value, max)`` of the course page's <progress> element."""
    match = re.search(r'<progress [^>]*max="(\d+)" value="(\d+)"', html)
    assert match, "no progress bar"
    return int(match.group(2)), int(match.group(1))


def test_marking_a_lesson_complete_and_not_complete(client, enrolled, course):
    lesson = lessons_of(course)[0]
    client.force_login(enrolled)
    form = client.get(lesson.url).content.decode()
    # The form sends the student on to the next lesson.
    assert f'name="next" value="{lessons_of(course)[1].url}"' in form
    response = mark(client, lesson)
    assert response.status_code == 302
    assert response.url == lesson.url  # without ``next``, back to the lesson
    assert LessonCompletion.objects.filter(user=enrolled, lesson=lesson).count() == 1
    mark(client, lesson)  # twice is still once
    assert LessonCompletion.objects.filter(user=enrolled, lesson=lesson).count() == 1
    assert "Mark as not complete" in client.get(lesson.url).content.decode()

    mark(client, lesson, complete=False)
    assert not LessonCompletion.objects.filter(user=enrolled, lesson=lesson).exists()


def test_course_page_shows_progress_bar_checkmarks_and_continue_link(client, enrolled, course):
    lessons = lessons_of(course)
    client.force_login(enrolled)
    html = client.get(course.url).content.decode()
    assert progress_bar(html) == (0, 4)
    assert html.count(f"Start with “{lessons[0].title}”") == 1
    assert "Continue where you left off" not in html

    mark(client, lessons[0])
    mark(client, lessons[2])
    html = client.get(course.url).content.decode()
    assert progress_bar(html) == (2, 4)
    assert "2 of 4 lessons complete (50%)" in html
    assert "Start with" not in html  # one way in once started: "Continue where you left off"
    assert html.count('aria-label="Completed"') == 2
    # The first lesson not done yet, even though a later one is.
    assert f"Continue where you left off: “{lessons[1].title}”" in html
    assert f'href="{lessons[1].url}">Continue where you left off' in html


def test_progress_counts_current_lessons_when_lessons_are_added_or_removed(client, enrolled, course):
    lessons = lessons_of(course)
    for lesson in lessons[:3]:
        set_lesson_complete(enrolled, lesson)
    assert (course_progress(enrolled, course).done, course_progress(enrolled, course).total) == (3, 4)

    module = lessons[0].get_parent()
    LessonPageFactory(parent=module, title="New lesson")
    LessonPageFactory(parent=ModulePageFactory(parent=course, title="Bonus"), title="Bonus lesson")
    progress = course_progress(enrolled, course)
    assert (progress.done, progress.total, progress.percent) == (3, 6, 50)

    lessons[0].delete()
    lessons[1].unpublish()
    progress = course_progress(enrolled, course)
    assert (progress.done, progress.total) == (1, 4)
    client.force_login(enrolled)
    assert progress_bar(client.get(course.url).content.decode()) == (1, 4)


def test_completing_every_lesson_records_the_completion_time_once(client, enrolled, course):
    client.force_login(enrolled)
    lessons = lessons_of(course)
    for lesson in lessons[:-1]:
        mark(client, lesson)
    assert Enrollment.objects.get(user=enrolled).completed_at is None

    response = client.post(
        reverse("lessons:mark_complete", args=[lessons[-1].pk]), {"complete": "1"}, follow=True
    )
    assert any("Congratulations" in str(m) for m in response.context["messages"])
    first = Enrollment.objects.get(user=enrolled).completed_at
    assert first is not None
    assert progress_bar(client.get(course.url).content.decode()) == (4, 4)

    # Undo and redo, and add a lesson and finish it: the first time stays.
    mark(client, lessons[-1], complete=False)
    mark(client, lessons[-1])
    extra = LessonPageFactory(parent=course, title="Late addition")
    set_lesson_complete(enrolled, extra)
    assert Enrollment.objects.get(user=enrolled).completed_at == first
    html = client.get(course.url).content.decode()
    assert f"You completed this course on {timezone.localtime(first):%-d %B %Y}" in html


@pytest.mark.parametrize("size", [(1, 2), (3, 4)])
def test_course_page_queries_do_not_grow_with_lessons_or_completions(client, build_course, student, size):
    from courses.services import enroll

    counts = []
    for index, (modules, per_module) in enumerate([size, (size[0] * 3, size[1] * 3)]):
        course = build_course(f"Course {index}", modules=modules, per_module=per_module)
        enroll(student, course)
        for lesson in lessons_of(course)[::2]:
            set_lesson_complete(student, lesson)
        client.force_login(student)
        client.get(course.url)  # warm the session and site caches
        with CaptureQueriesContext(__import__("django.db").db.connection) as queries:
            assert client.get(course.url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
