"""Ringlet's own staff-facing admin views in French (README, "Languages"): with French as the
editor's language, the admin dashboard's panels, the quiz statistics, the package reports, the
share links have no English sentence of Ringlet's own left."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.page_fixtures import add_quiz, lessons_of, quiz_value
from tests.portal.test_french_interface import english_sentences

pytestmark = pytest.mark.django_db


def both(client, url):
    pages = {}
    for language in ("fr", "en"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        pages[language] = response.content.decode()
    return pages["fr"], pages["en"]


# Wagtail's and wagtailmedia's own words their French catalogues leave as they are (Draftail's
# keyboard shortcuts, the dashboard's summary), and the course's content (its titles and quiz).
NOT_OURS = {"Ctrl + Alt + m", "Ctrl + Shift + v", "Ctrl + Shift + x", "Monospace (code)", "Media files"}
NOT_OURS |= {"created in Ringlet", "Wagtail basics", "Which page type holds lessons?"}
NOT_OURS |= {"Which are Wagtail block types?"}


def ours(texts):
    return [t for t in texts if t not in NOT_OURS and not t.startswith("Wagtail basics module 1 \u203a")]


def test_the_staff_views_in_french_have_no_english_sentence_of_ours(client, french, course, admin_user):
    add_quiz(lessons_of(course)[0].specific, quiz_value(max_attempts=3))
    client.force_login(admin_user)
    found = {}
    for url in [
        reverse("wagtailadmin_home"),
        reverse("quiz_statistics"),
        reverse("package_reports"),
        reverse("sharing_all_links"),
        reverse("sharing_page_links", args=[course.pk]),
    ]:
        french_html, english_html = both(client, url)
        left = ours(english_sentences(french_html, english_html))
        if left:
            found[url] = left
    assert found == {}
    french_html, _ = both(client, reverse("quiz_statistics"))
    assert "Note de réussite 70\u00a0%, 3 tentatives." in french_html
