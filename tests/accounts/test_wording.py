"""The account pages and emails speak Ringlet's language: sentence case, "log in" and "sign up"
as the site's header says them, and emails signed by the site, never by a host name."""

import re
from html import unescape

import pytest
from django.core import mail

from tests.account_fixtures import PASSWORD, log_in, make_student

pytestmark = pytest.mark.django_db

# Names that keep their capitals in a sentence-case phrase.
PROPER = {"Ringlet", "Google", "LinkedIn", "PDF", "IP"}
# allauth's own wording, which the site does not use.
NOT_OURS = re.compile(r"\bsign(?:ed)?[ -]?(?:in|out)\b|Hello from|Successfully|Signup\b", re.IGNORECASE)
VISITOR_PAGES = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/accounts/password/reset/key/1-not-a-real-key/",
    "/accounts/password/reset/key/done/",
    "/accounts/confirm-email/",
    "/accounts/confirm-email/not-a-real-key/",
    "/accounts/inactive/",
    "/accounts/3rdparty/login/cancelled/",
    "/accounts/3rdparty/login/error/",
]
STUDENT_PAGES = [
    "/accounts/profile/",
    "/accounts/email/",
    "/accounts/password/change/",
    "/accounts/logout/",
    "/accounts/sessions/",
    "/accounts/reauthenticate/",
    "/accounts/reauthenticate/code/",
    "/accounts/3rdparty/",
    "/accounts/delete/",
]
PHRASES = re.compile(r"<(title|h1|h2|h3|label|button|th|legend)\b[^>]*>(.*?)</\1>", re.S)


def phrases(html):
    """The page's short texts (title, headings, labels, buttons): each should be one phrase."""
    for _, inner in PHRASES.findall(html):
        inner = re.sub(r'<span class="badge[^"]*"[^>]*>.*?</span>', " ", inner, flags=re.S)  # a word each
        text = unescape(re.sub(r"<[^>]+>", " ", inner))
        text = re.sub(r"\s+", " ", text.split("·")[0]).strip(" :")
        if text:
            yield text


def not_sentence_case(phrase):
    words = re.findall(r"[A-Za-z][\w'\u2019]*", phrase)
    return [word for word in words[1:] if word[0].isupper() and word not in PROPER]


def check(html, where):
    problems = [(phrase, not_sentence_case(phrase)) for phrase in phrases(html) if not_sentence_case(phrase)]
    assert problems == [], where
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert not NOT_OURS.search(unescape(re.sub(r"<[^>]+>", " ", main))), (where, NOT_OURS.search(main))


def test_every_account_page_is_in_sentence_case_and_says_log_in(client):
    for url in VISITOR_PAGES:
        check(client.get(url, follow=True).content.decode(), url)
    student = make_student("ada@example.com", first_name="Ada", last_name="Lovelace")
    client.force_login(student)
    for url in STUDENT_PAGES:
        check(client.get(url, follow=True).content.decode(), url)
    client.logout()
    after_login = log_in(client, "ada@example.com")
    page = client.get(after_login.url).content.decode()
    assert "You are logged in as Ada Lovelace." in page


def test_account_emails_are_signed_by_the_site_in_its_own_words(client, settings):
    settings.WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8400"
    make_student("ada@example.com")
    form = {"name": "Nina Newbie", "email": "nina@example.com", "password1": PASSWORD, "password2": PASSWORD}
    client.post("/accounts/signup/", form)  # the confirmation
    client.post("/accounts/signup/", {**form, "email": "ada@example.com"})  # an account exists already
    client.post("/accounts/password/reset/", {"email": "ada@example.com"})
    client.post("/accounts/password/reset/", {"email": "nobody@example.com"})  # unknown address
    subjects = [message.subject for message in mail.outbox]
    assert subjects == [
        "[Ringlet] Confirm your email address",
        "[Ringlet] You have an account already",
        "[Ringlet] Reset your password",
        "[Ringlet] No account uses this address",
    ]
    for message in mail.outbox:
        assert not NOT_OURS.search(message.body.replace("/accounts/signup/", "")), message.subject
        assert "testserver" not in message.body.replace("http://testserver/accounts/", ""), message.subject
        assert message.body.rstrip().endswith("Ringlet\nhttp://127.0.0.1:8400/"), message.body
        assert not_sentence_case(message.subject.removeprefix("[Ringlet] ")) == []
    assert mail.outbox[0].body.startswith("Hello Nina Newbie,")
