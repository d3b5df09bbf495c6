"""The interface in French: walking the student pages with French active finds no English sentence
from the project's own templates (README, "Languages")."""

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import reverse

from courses.services import enroll
from lessons.models import LessonCompletion
from tests.language_fixtures import translate_tree
from tests.lessons.test_quiz import answer, submit
from tests.page_fixtures import add_quiz, lessons_of, quiz_value

pytestmark = pytest.mark.django_db

# The course's own words, translated by its translator (wagtail-localize); what is left is ours.
CONTENT = {
    "Wagtail basics": "Les bases de Wagtail",
    "A summary of Wagtail basics.": "Un résumé des bases de Wagtail.",
    "Wagtail basics module 1": "Module 1",
    "Wagtail basics module 2": "Module 2",
    "Wagtail basics lesson 1.1": "Leçon 1.1",
    "Wagtail basics lesson 1.2": "Leçon 1.2",
    "Wagtail basics lesson 2.1": "Leçon 2.1",
    "Wagtail basics lesson 2.2": "Leçon 2.2",
    "Check your understanding": "Vérifiez vos connaissances",
    "Which page type holds lessons?": "Quel type de page contient les leçons ?",
    "CoursePage or ModulePage": "CoursePage ou ModulePage",
    "Which are Wagtail block types?": "Lesquels sont des types de blocs Wagtail ?",
    # Rich text reaches the translator as its sentences, without the markup.
    "Lessons live under a course or one of its modules.": "Les leçons sont sous un cours ou un module.",
    "StructBlock and ListBlock are in wagtail.blocks.": "StructBlock et ListBlock sont dans wagtail.blocks.",
}
# Words that are the same in both languages (names, codes).
SAME_IN_BOTH = {"Ringlet", "HomePage", "Image", "StructBlock", "ListBlock", "ModelBlock", "FormBlock", "PDF"}
# Content shared by every language: a cover image's alt text (images are not translated).
SHARED_CONTENT = {"An image"}


class Texts(HTMLParser):
    """The visible text nodes of a page and its aria-labels (scripts and styles left out)."""

    def __init__(self):
        super().__init__()
        self.texts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "title"):
            self._skip += 1
        for name, value in attrs:
            if name in ("aria-label", "placeholder", "alt") and value:
                self.texts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "title"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(" ".join(data.split()))


def texts(html):
    parser = Texts()
    parser.feed(html)
    return parser.texts


def english_sentences(french_html, english_html):
    """Text of the French page left as it is on the English page: two or more words of letters
    that are not names or codes."""
    english = set(texts(english_html))
    left = []
    for text in texts(french_html):
        words = [w for w in re.findall(r"[^\W\d_]{2,}", text) if w not in SAME_IN_BOTH]
        if text in english and len(words) >= 2 and text not in SHARED_CONTENT:
            left.append(text)
    return left


@pytest.fixture
def french_course(french, home, course, student):
    add_quiz(lessons_of(course)[0].specific, quiz_value(max_attempts=3))
    pages = translate_tree(home, french, CONTENT)
    return course, pages[course.pk], pages


def test_student_pages_in_french_have_no_english_sentence_from_our_templates(client, french_course, student):
    course, course_fr, pages = french_course
    lessons, lessons_fr = lessons_of(course), lessons_of(course_fr)
    home_fr = pages[course.get_parent().get_parent().pk]
    catalogue_fr = pages[course.get_parent().pk]
    module_fr = lessons_fr[0].get_parent()

    # A visitor: home, catalogue (and a search), course, a locked lesson, a missing page.
    visitor_pages = [home_fr.url, catalogue_fr.url, course_fr.url, lessons_fr[1].url, module_fr.url]
    for url in visitor_pages:
        english_url = url.removeprefix("/fr")
        french = client.get(url)
        assert french.status_code in (200, 403), url  # a locked lesson is a 403 with its offer
        left = english_sentences(french.content.decode(), client.get(english_url).content.decode())
        assert left == [], (url, left)
    search = client.get(catalogue_fr.url, {"q": "zzzz"}).content.decode()
    assert english_sentences(search, client.get("/courses/", {"q": "zzzz"}).content.decode()) == []

    # A student with progress, a failed quiz attempt and a message: course, lessons, dashboard.
    enroll(student, course)
    LessonCompletion.objects.create(user=student, lesson=lessons[1])
    client.force_login(student)
    quiz_lesson_fr = lessons_fr[0].specific
    from lessons.quiz import quizzes_of

    quiz = quizzes_of(quiz_lesson_fr)[0]
    submit(client, quiz_lesson_fr, quiz, answer(quiz, single="wrong"))
    for url in [course_fr.url, quiz_lesson_fr.url, lessons_fr[1].url, lessons_fr[3].url]:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
        french = client.get(url).content.decode()
        assert '<html lang="fr">' in french
        english = client.get(url.removeprefix("/fr")).content.decode()
        assert english_sentences(french, english) == [], url
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    french = client.get(reverse("courses:dashboard")).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse("courses:dashboard")).content.decode()
    assert '<html lang="fr">' in french and "Mes cours" in french and "My courses" in english
    assert english_sentences(french, english) == []
