"""The account remembers the language (README, "Languages"): chosen on the account page or with
the language switcher while logged in, stored with the user, applied at login and on the views
without a page language ahead of the cookie and Accept-Language; a page's language stays its URL's."""

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import LanguagePreference
from accounts.services import language_preference
from tests.language_fixtures import translate_tree

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME


def html_lang(response):
    text = response.content.decode()
    return text.split('<html lang="', 1)[1].split('"', 1)[0]


def test_the_account_page_saves_the_language_and_the_site_follows_it(client, french, student):
    client.force_login(student)
    profile = client.get(reverse("accounts_profile"), HTTP_ACCEPT_LANGUAGE="en")
    assert html_lang(profile) == "en" and 'name="language-language"' in profile.content.decode()

    response = client.post(reverse("accounts_language"), {"language-language": "fr"})
    assert response.status_code == 302
    assert language_preference(student) == "fr"
    assert response.cookies[COOKIE].value == "fr"  # it stays after logging out
    # Ahead of the browser's Accept-Language and of a cookie saying otherwise.
    client.cookies[COOKIE] = "en"
    page = client.get(reverse("accounts_profile"), HTTP_ACCEPT_LANGUAGE="en")
    assert html_lang(page) == "fr" and "Votre langue a été enregistrée." in page.content.decode()
    assert html_lang(client.get(reverse("courses:dashboard"), HTTP_ACCEPT_LANGUAGE="en")) == "fr"


def test_a_language_the_site_does_not_offer_is_refused_and_nothing_is_stored(client, french, student):
    client.force_login(student)
    response = client.post(reverse("accounts_language"), {"language-language": "de"})
    assert response.status_code == 400
    assert "de" in response.content.decode() and not LanguagePreference.objects.exists()


def test_the_language_is_applied_at_login_on_another_device(client, french, student):
    LanguagePreference.objects.create(user=student, language="fr")
    client.cookies[COOKIE] = "en"
    assert html_lang(client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en")) == "en"
    client.force_login(student)  # sends user_logged_in, as allauth's login does
    dashboard = client.get(reverse("courses:dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    assert html_lang(dashboard) == "fr" and "Mes cours" in dashboard.content.decode()
    assert dashboard.cookies[COOKIE].value == "fr"


def test_without_a_stored_language_the_cookie_then_the_browser_decide(client, french, student):
    client.force_login(student)
    assert html_lang(client.get(reverse("courses:dashboard"), HTTP_ACCEPT_LANGUAGE="fr")) == "fr"
    client.cookies[COOKIE] = "en"
    assert html_lang(client.get(reverse("courses:dashboard"), HTTP_ACCEPT_LANGUAGE="fr")) == "en"


def test_the_switcher_off_the_page_tree_stores_the_language_of_a_logged_in_user_only(client, french, student):
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/dashboard/"})
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert response.cookies[COOKIE].value == "fr" and not LanguagePreference.objects.exists()

    client.force_login(student)
    client.post(reverse("set_language"), {"language": "fr", "next": "/dashboard/"})
    assert language_preference(student) == "fr"
    # Another site's address is never a place to go back to.
    away = client.post(reverse("set_language"), {"language": "en", "next": "https://evil.example/"})
    assert away["Location"] == "/" and language_preference(student) == "en"


def test_a_page_keeps_its_urls_language_and_its_switcher_stores_the_choice(
    client, french, home, course, student
):
    pages = translate_tree(home, french, {"Wagtail basics": "Les bases de Wagtail"})
    course_fr = pages[course.pk]
    LanguagePreference.objects.create(user=student, language="fr")
    client.force_login(student)
    english = client.get(course.url)
    assert html_lang(english) == "en"  # the URL's, not the account's
    # Logged in, the switcher is a form: the choice goes to the account, then to the translation.
    form = f'<input type="hidden" name="next" value="{course_fr.url}">'
    assert form in english.content.decode()
    LanguagePreference.objects.all().delete()
    response = client.post(reverse("set_language"), {"language": "fr", "next": course_fr.url})
    assert response["Location"] == course_fr.url
    assert language_preference(student) == "fr"
    assert html_lang(client.get(course_fr.url)) == "fr"
