"""manage.py seed_scale: bulk-built courses and lessons are real, reachable, searchable pages."""

from django.core.management import call_command
from wagtail.models import Page

from courses.models import CoursePage
from lessons.models import LessonPage


def test_seed_scale_builds_a_valid_tree_of_published_courses_and_lessons(client, catalogue):
    call_command("seed_scale", courses=3, lessons=4, prefix="Bulk")
    assert CoursePage.objects.filter(title__startswith="Bulk").count() == 3
    assert LessonPage.objects.filter(title__startswith="Bulk").count() == 12
    assert Page.find_problems() == ([], [], [], [], [])
    course = CoursePage.objects.get(title="Bulk python course 0")
    response = client.get(course.url)
    assert response.status_code == 200 and "Bulk python course 0 lesson 3" in response.content.decode()
    free = LessonPage.objects.get(title="Bulk python course 0 lesson 0")
    assert client.get(free.url).status_code == 200
    found = client.get(catalogue.url, {"q": "python"})
    assert "Bulk python course 0" in found.content.decode()
