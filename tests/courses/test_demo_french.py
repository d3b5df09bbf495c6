# ruff: noqa: RUF001 (French typography uses the typographic apostrophe)
"""The demo in French (make run's default languages): its pages translated with wagtail-localize."""

import pytest
from wagtail.models import Page

from courses.models import CoursePage
from demo.courses import ensure_catalogue, ensure_courses
from demo.home import ensure_home_page
from demo.translations import ensure_french

# wagtail-localize publishes translations as their transaction commits: a real commit per page.
pytestmark = pytest.mark.django_db(transaction=True)


def test_the_demo_courses_are_served_in_french_at_fr_and_translating_again_copies_nothing(client, french):
    home = ensure_home_page()
    catalogue = ensure_catalogue(home)
    ensure_courses(catalogue)
    count = ensure_french(home)
    english = Page.objects.descendant_of(home, inclusive=True).filter(locale__language_code="en")
    assert count == english.count()
    french_courses = CoursePage.objects.filter(locale=french).live()
    assert {course.title for course in french_courses} == {
        "L’audio et la vidéo pour apprendre",
        "Les bases de Python",
        "Wagtail pour débutants",
    }
    catalogue_html = client.get("/fr/courses/").content.decode()
    assert '<html lang="fr">' in catalogue_html and "Wagtail pour débutants" in catalogue_html
    course = french_courses.get(title="Wagtail pour débutants")
    page = client.get(course.url)
    assert page.status_code == 200 and "Premiers pas" in page.content.decode()
    # Idempotent: run again, nothing more is made.
    pages = Page.objects.count()
    assert ensure_french(home) == count and Page.objects.count() == pages


def test_without_french_the_demo_stays_in_english(settings, db):
    home = ensure_home_page()
    assert ensure_french(home) is None
    assert not Page.objects.filter(locale__language_code="fr").exists()
