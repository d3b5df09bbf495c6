"""Ringlet's own staff-facing admin views in French (README, "Languages"): with French as the
editor's language, the admin dashboard's panels, the quiz statistics, the package reports, the
share links, the enrollment report and its downloads, a package's status, a media
item's status and the upload refusals have no English sentence of Ringlet's own left; nor have
a refused share link and the lesson blocks' own words."""

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


def test_the_enrollment_report_its_downloads_and_a_packages_status_are_in_french(
    client, french, course, admin_user
):
    from tests.packages.factories import ready_package

    package = ready_package(title="Quick check")
    client.force_login(admin_user)
    found = {}
    for url in [
        reverse("course_enrollment_report"),
        reverse("content_packages:edit", args=[package.pk]),
    ]:
        french_html, english_html = both(client, url)
        left = ours(english_sentences(french_html, english_html))
        # The package's own title, file name, launch file and collection are its data.
        data = ("Quick check", "quick-check", "index.html", "Test collection")
        left = [text for text in left if not any(name in text for name in data)]
        if left:
            found[url] = left
    assert found == {}
    french_html, _ = both(client, reverse("course_enrollment_report"))
    assert "Inscriptions aux cours" in french_html and "Télécharger en CSV" in french_html
    # The downloads' column titles are the editor's language too.
    headings = {}
    for language in ("fr", "en"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        response = client.get(reverse("course_enrollment_report"), {"export": "csv"})
        headings[language] = b"".join(response.streaming_content).decode().splitlines()[0]
    assert headings == {
        "en": "Course,Status,Enrolled,Completed,Completion rate (%)",
        "fr": "Cours,État,Inscrits,Terminés,Taux de réussite (%)",
    }


def test_a_media_items_status_and_the_upload_refusals_are_in_the_editors_language():
    from django.utils import timezone, translation

    from media_library import editor_messages, services
    from media_library.models import Media

    encoding = Media(status=Media.Status.PROCESSING, progress=37, heartbeat_at=timezone.now())
    with translation.override("en"):
        assert services.status_label(encoding) == "Processing (37%)"
        assert editor_messages.too_long(3725, 4).startswith("This recording is 1 h 2 min long; the longest")
    with translation.override("fr"):
        assert services.status_label(encoding) == "En traitement (37\u00a0%)"
        assert editor_messages.too_long(3725, 4) == (
            "Cet enregistrement dure 1 h 2 min\u00a0; la durée maximale prise en charge est de 4 heures. "
            "Veuillez le découper en parties et téléverser chacune."
        )
        damaged = editor_messages.damaged(5.07, 10.0)
        assert damaged.startswith("Le fichier semble endommagé\u00a0: seules 5 de ses 10 secondes")


def test_a_refused_share_link_says_why_in_french(client, french):
    pages = {}
    for language in ("fr", "en"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        response = client.get(reverse("shared_draft", args=["not-a-real-token"]))
        assert response.status_code == 404
        pages[language] = response.content.decode()
    assert english_sentences(pages["fr"], pages["en"]) == []
    assert "Ce lien de partage n\u2019est pas valide." in pages["fr"]


def test_the_lesson_blocks_own_words_follow_the_language(french, catalogue):
    from django.utils import translation

    from media_library.tasks import record_document_info
    from tests.factories import CoursePageFactory, LessonPageFactory
    from tests.media_fixtures import make_document, make_pdf

    handout = make_document(make_pdf(pages=3), title="Reading list")
    record_document_info(handout.pk)
    lesson = LessonPageFactory(
        parent=CoursePageFactory(parent=catalogue),
        title="Reading",
        body=[
            ("document", {"document": handout, "caption": "", "show_inline": True}),
            ("callout", {"kind": "tip", "title": "", "body": "<p>Read it twice.</p>"}),
        ],
    )
    html = {}
    for language in ("fr", "en"):
        with translation.override(language):
            html[language] = "".join(block.render() for block in lesson.body)
    assert [text for text in english_sentences(html["fr"], html["en"]) if "Read it twice" not in text] == []
    assert "Télécharger Reading list" in html["fr"] and "3 pages" in html["fr"]
    assert 'data-page-label="Page {page} sur {pages} de Reading list"' in html["fr"]
    assert 'aria-label="Astuce"' in html["fr"] and 'aria-label="Tip"' in html["en"]
