"""The account pages and the emails in French (README, "Languages"): no English sentence of the
site's own left in them, and the emails and the certificate in the student's language."""

import io
import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import LanguagePreference
from courses.certificates import issue_certificate, render_pdf
from courses.services import enroll
from courses.tasks import send_enrollment_confirmation
from lessons.services import set_lesson_complete
from tests.account_fixtures import make_student
from tests.language_fixtures import translate_tree
from tests.page_fixtures import lessons_of
from tests.portal.test_french_interface import SAME_IN_BOTH, english_sentences

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME


def left_english(french_html, english_html):
    """``english_sentences``, an email address aside (it is the student's, in both)."""
    return [text for text in english_sentences(french_html, english_html) if "@" not in text]


def both(client, url, **kwargs):
    """``url`` as French and as English, each status checked."""
    pages = {}
    for language in ("fr", "en"):
        client.cookies[COOKIE] = language
        response = client.get(url, **kwargs)
        assert response.status_code in (200, 400), (url, response.status_code)
        pages[language] = response.content.decode()
    assert '<html lang="fr">' in pages["fr"], url
    return pages["fr"], pages["en"]


def test_the_account_pages_in_french_have_no_english_sentence(client, french, student):
    anonymous = [
        reverse("account_login"),
        reverse("account_signup"),
        reverse("account_reset_password"),
        reverse("account_reset_password_done"),
        reverse("account_email_verification_sent"),
        "/accounts/password/reset/key/1-bad-key/",
    ]
    for url in anonymous:
        french_html, english_html = both(client, url)
        assert left_english(french_html, english_html) == [], url
    # A form sent back with its errors: the summary and the field labels too.
    for language in ("fr", "en"):
        client.cookies[COOKIE] = language
        html = client.post(reverse("account_login"), {"login": "x@example.com", "password": "nope"})
        if language == "fr":
            french_html = html.content.decode()
    assert left_english(french_html, html.content.decode()) == []

    client.force_login(student)
    logged_in = [
        reverse("accounts_profile"),
        reverse("account_email"),
        reverse("account_change_password"),
        reverse("usersessions_list"),
        reverse("accounts_delete"),
        reverse("account_logout"),
    ]
    for url in logged_in:
        french_html, english_html = both(client, url)
        assert left_english(french_html, english_html) == [], url
    french_html, _ = both(client, reverse("accounts_profile"))
    assert "Votre compte" in french_html and "Notifications par e-mail" in french_html


def english_lines(french_text, english_text):
    """Lines of a French email left as they are in the English one (two or more words of letters
    that are not names, nor a URL)."""
    english = {line.strip() for line in english_text.splitlines()}
    left = []
    for line in (line.strip() for line in french_text.splitlines()):
        words = [w for w in re.findall(r"[^\W\d_]{2,}", line) if w not in SAME_IN_BOTH]
        if line in english and len(words) >= 2 and "://" not in line:
            left.append(line)
    return left


@pytest.fixture
def french_course(french, home, course):
    pages = translate_tree(home, french, {"Wagtail basics": "Les bases de Wagtail"})
    return course, pages[course.pk]


def test_the_enrollment_email_is_in_the_students_language_with_the_courses_french_title(french_course):
    course, course_fr = french_course
    ada = make_student("ada@example.com", first_name="Ada")
    bob = make_student("bob@example.com", first_name="Bob")
    LanguagePreference.objects.create(user=ada, language="fr")
    for user in (ada, bob):
        enrollment, _ = enroll(user, course)
        assert send_enrollment_confirmation(enrollment.pk)
    french, english = mail.outbox
    assert french.subject == "Vous êtes inscrit à «\u00a0Les bases de Wagtail\u00a0»"
    assert english.subject == "You are enrolled in “Wagtail basics”"
    assert f"http://testserver{course_fr.url}" in french.body  # the French page
    assert english_lines(french.body, english.body.replace("Bob", "Ada")) == []
    french_html, english_html = french.alternatives[0][0], english.alternatives[0][0]
    assert '<html lang="fr">' in french_html
    assert english_sentences(french_html, english_html.replace("Bob", "Ada")) == []


def pdf_text(data):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_certificate_and_its_email_are_in_the_students_language(french_course, settings):
    course, _ = french_course
    ada = make_student("ada@example.com", first_name="Ada", last_name="Lovelace")
    LanguagePreference.objects.create(user=ada, language="fr")
    enroll(ada, course)
    for lesson in lessons_of(course):
        set_lesson_complete(ada, lesson)
    certificate, _ = issue_certificate(ada, course)
    assert certificate.course_title == "Les bases de Wagtail"
    text = pdf_text(render_pdf(certificate))
    assert "Certificat de réussite" in text and "a terminé le cours" in text
    assert "Certificate" not in text and "completed" not in text
    month = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre"]
    month += ["octobre", "novembre", "décembre"]
    assert month[certificate.completed_at.month - 1] in text
    # Without a language of their own, the course page's: English here.
    bob = make_student("bob@example.com", first_name="Bob")
    enroll(bob, course)
    for lesson in lessons_of(course):
        set_lesson_complete(bob, lesson)
    english, _ = issue_certificate(bob, course)
    assert english.course_title == "Wagtail basics"
    assert "Certificate of completion" in pdf_text(render_pdf(english))


def test_the_certificate_email_is_in_french(french_course):
    from courses.certificates import email_certificate, store_pdf

    course, _ = french_course
    ada = make_student("ada@example.com", first_name="Ada")
    LanguagePreference.objects.create(user=ada, language="fr")
    enroll(ada, course)
    for lesson in lessons_of(course):
        set_lesson_complete(ada, lesson)
    certificate, _ = issue_certificate(ada, course)
    mail.outbox.clear()
    assert email_certificate(store_pdf(certificate))
    message = mail.outbox[-1]
    assert message.subject == "Votre certificat pour «\u00a0Les bases de Wagtail\u00a0»"
    assert "Félicitations" in message.body and "Vous avez terminé" in message.body
    assert "Congratulations" not in message.body and "Unsubscribe" not in message.body


def test_allauths_emails_are_in_the_language_of_the_request_or_the_account(client, french, student):
    client.cookies[COOKIE] = "fr"
    client.post(reverse("account_reset_password"), {"email": "ada@example.com"})
    client.cookies[COOKIE] = "en"
    client.post(reverse("account_reset_password"), {"email": "ada@example.com"})
    french_message, english_message = mail.outbox
    assert "Réinitialiser votre mot de passe" in french_message.subject
    assert "Bonjour" in french_message.body
    assert english_lines(french_message.body, english_message.body) == []
    # A student who chose French gets French, whatever the page they asked on.
    LanguagePreference.objects.create(user=student, language="fr")
    client.post(reverse("account_reset_password"), {"email": "ada@example.com"})
    assert "Réinitialiser votre mot de passe" in mail.outbox[-1].subject


def test_the_reminder_is_in_the_students_language_with_the_courses_french_title(french_course):
    from datetime import timedelta

    from django.utils import timezone

    from courses.models import Enrollment
    from courses.notifications import send_reminder

    course, course_fr = french_course
    ada = make_student("ada@example.com", first_name="Ada")
    LanguagePreference.objects.create(user=ada, language="fr")
    enrollment, _ = enroll(ada, course)
    Enrollment.objects.filter(pk=enrollment.pk).update(last_activity_at=timezone.now() - timedelta(days=10))
    mail.outbox.clear()
    assert send_reminder(ada, [Enrollment.objects.get(pk=enrollment.pk)])
    [message] = mail.outbox
    assert message.subject == "«\u00a0Les bases de Wagtail\u00a0» vous attend"
    assert "Reprenez là où vous en étiez" in message.body
    assert f"http://testserver{course_fr.url}" in message.body
    assert "Pick up" not in message.body


def test_the_instructors_digest_is_in_their_language(french, course):
    from datetime import timedelta

    from django.utils import timezone

    from courses.notifications import send_digest
    from tests.courses.test_notifications import idle_since
    from tests.factories import InstructorFactory

    teacher = make_student("teacher@example.com", first_name="Grace")
    LanguagePreference.objects.create(user=teacher, language="fr")
    instructor = InstructorFactory(name="Grace Hopper", user=teacher)
    course.instructors.add(instructor)
    course.save_revision().publish()
    now = timezone.now()
    for number in range(2):
        idle_since(make_student(f"s{number}@example.com"), course, now - timedelta(days=2))
    mail.outbox.clear()
    assert send_digest(instructor, now)
    [message] = mail.outbox
    assert message.subject == "Vos cours cette semaine"
    assert "Bonjour Grace Hopper," in message.body
    assert f"- {course.title}: 2 nouvelles inscriptions, 0 cours terminé" in message.body
    html = message.alternatives[0][0]
    assert "Nouvelles inscriptions" in html and "Cours terminés" in html
    for english in ("Hello", "Your courses", "new enrollment", "completion", "Completions"):
        assert english not in message.body and english not in html


def test_allauths_messages_are_in_french(client, french):
    from tests.account_fixtures import PASSWORD

    make_student("grace@example.com", first_name="Grace")
    client.cookies[COOKIE] = "fr"
    response = client.post(
        reverse("account_login"), {"login": "grace@example.com", "password": PASSWORD}, follow=True
    )
    assert "Vous êtes connecté en tant que" in response.content.decode()
    client.post(reverse("account_logout"))
    assert "Vous êtes déconnecté." in client.get(reverse("account_login")).content.decode()
