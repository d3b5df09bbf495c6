"""The site in several languages: URLs, <html lang>, hreflang, the switcher, the caches, the API
and search per language (README, "Languages")."""

import re

import pytest
from django.core.cache import cache

from tests.factories import CoursePageFactory
from tests.language_fixtures import translate_tree

pytestmark = pytest.mark.django_db

FRENCH = {
    "Horse riding": "Équitation",
    "Training horses at home": "Dresser les chevaux à la maison",
    "Courses": "Cours",
}


@pytest.fixture
def riding(french, home, build_course):
    """An English course and its French translation (made with wagtail-localize)."""
    course = build_course("Horse riding", modules=1, per_module=1, summary="Training horses at home")
    pages = translate_tree(home, french, FRENCH)
    return course, pages[course.pk], pages


def alternates(html):
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))


def test_a_single_language_site_has_no_prefix_switcher_or_alternates(client, course):
    response = client.get(course.url)
    html = response.content.decode()
    # A page's language is its URL's: shared caches keep one copy per URL, whatever the browser.
    assert "Accept-Language" not in response.get("Vary", "") and response["Content-Language"] == "en"
    # Views outside the page tree follow the browser (or the language cookie).
    assert "Accept-Language" in client.get("/accounts/login/").get("Vary", "")
    assert course.url.startswith("/courses/")
    assert '<html lang="en">' in html
    assert "hreflang" not in html and "language-switcher" not in html


def test_each_language_has_its_lang_its_alternates_and_a_switcher_to_the_other(client, riding):
    course, course_fr, _ = riding
    assert course.url == "/courses/horse-riding/" and course_fr.url == "/fr/courses/horse-riding/"
    english = client.get(course.url).content.decode()
    french = client.get(course_fr.url).content.decode()
    assert '<html lang="en">' in english and '<html lang="fr">' in french
    expected = {
        "en": "http://localhost/courses/horse-riding/",
        "fr": "http://localhost/fr/courses/horse-riding/",
        "x-default": "http://localhost/courses/horse-riding/",
    }
    assert alternates(english) == expected and alternates(french) == expected
    assert "Dresser les chevaux" in french and "Dresser les chevaux" not in english
    # The switcher links to the same page in the other language.
    to_french = '<a href="http://localhost/fr/courses/horse-riding/" hreflang="fr" lang="fr">Français</a>'
    assert to_french in english
    assert '<a href="http://localhost/courses/horse-riding/" hreflang="en" lang="en">English</a>' in french


def test_a_page_not_translated_says_so_in_the_switcher(client, riding, catalogue):
    untranslated = CoursePageFactory(parent=catalogue, title="Only in English")
    html = client.get(untranslated.url).content.decode()
    switcher = re.search(r'<nav class="language-switcher".*?</nav>', html, re.S).group(0)
    assert '<span lang="fr">Français</span> (not translated)' in switcher
    assert "href" not in switcher
    assert alternates(html) == {
        "en": f"http://localhost{untranslated.url}",
        "x-default": f"http://localhost{untranslated.url}",
    }


def test_a_cached_english_page_is_never_served_for_the_french_url(client, riding):
    course, course_fr, _ = riding
    cache.delete_own_keys()  # this run's keys only (the prefix), never the whole database
    english = client.get(course.url)
    assert english["X-Page-Cache"] == "miss"
    assert client.get(course.url)["X-Page-Cache"] == "hit"
    # Same path below the prefix, same Wagtail route path: a French page, never the English one.
    french = client.get(course_fr.url)
    assert french["X-Page-Cache"] == "miss" and french.status_code == 200
    html = french.content.decode()
    assert "Équitation" in html and "Horse riding</h1>" not in html
    again = client.get(course_fr.url)
    assert again["X-Page-Cache"] == "hit" and again.content == french.content
    assert client.get(course.url).content == english.content
    # The French catalogue lists the French course only (its outline and routes are its own).
    catalogue_fr = client.get("/fr/courses/").content.decode()
    assert "Équitation" in catalogue_fr and "Horse riding" not in catalogue_fr


def test_the_api_filters_courses_by_locale(client, riding):
    course, course_fr, _ = riding
    french = client.get("/api/courses/", {"locale": "fr"}).json()
    assert [(item["id"], item["language"]) for item in french["items"]] == [(course_fr.pk, "fr")]
    english = client.get("/api/courses/", {"locale": "en"}).json()
    assert [(item["id"], item["language"]) for item in english["items"]] == [(course.pk, "en")]
    both = client.get("/api/courses/", {"translation_of": course.pk}).json()
    assert [item["id"] for item in both["items"]] == [course_fr.pk]


def test_french_search_stems_french_words(client, riding):
    pages = riding[2]
    # "cheval" is the singular of "chevaux": PostgreSQL's french configuration stems both alike,
    # its english one does not.
    catalogue_fr = next(page for page in pages.values() if page.url == "/fr/courses/")
    found = client.get(catalogue_fr.url, {"q": "cheval"})
    assert [c.title for c in found.context["courses"]] == ["Équitation"]
    english = client.get("/courses/", {"q": "cheval"})
    assert list(english.context["courses"]) == []
