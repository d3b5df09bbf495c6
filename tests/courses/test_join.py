"""From a locked lesson to reading it: sign up or log in, enrolled in one step, back on the lesson."""

import re
import uuid
from urllib.parse import parse_qs, urlparse

import pytest
from django.core import mail
from django.urls import reverse

from courses.models import Enrollment
from tests.page_fixtures import lessons_of

PASSWORD = "a long and unusual passphrase 42"


@pytest.fixture
def lesson(course):
    return lessons_of(course)[1]


def ask_to_enroll(client, course, lesson, to):
    response = client.post(reverse("courses:enroll_intent", args=[course.pk]), {"next": lesson.url, "to": to})
    assert response.status_code == 302
    return response.url


def sign_up_and_confirm(client, signup_url, email):
    """Sign up through allauth's form, then follow the emailed confirmation link in the same session."""
    response = client.post(
        signup_url, {"name": "Nina Newbie", "email": email, "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", mail.outbox[-1].body).group(1)
    confirm_page = client.get(link)
    if confirm_page.status_code == 200:  # allauth confirms on POST unless ACCOUNT_CONFIRM_EMAIL_ON_GET
        return client.post(link, follow=True)
    return client.get(link, follow=True)


def test_sign_up_from_a_locked_lesson_lands_back_on_it_enrolled(client, course, lesson):
    signup_url = ask_to_enroll(client, course, lesson, "signup")
    assert signup_url.startswith(reverse("account_signup"))
    join_url = parse_qs(urlparse(signup_url).query)["next"][0]
    assert join_url.startswith(reverse("courses:join", args=[course.pk]))
    # A fresh address each run: allauth rate-limits confirmation emails per address in the cache.
    email = f"new.student.{uuid.uuid4().hex[:8]}@example.com"
    response = sign_up_and_confirm(client, signup_url, email)
    assert response.redirect_chain[-1][0] == lesson.url
    assert response.status_code == 200
    assert f'<h1 id="lesson-title">{lesson.title}</h1>' in response.content.decode()
    assert Enrollment.objects.filter(user__email=email, course_id=course.pk).exists()
    assert f"You are enrolled in “{course.title}”" in response.content.decode()


def test_log_in_from_a_locked_lesson_enrolls_and_returns(client, course, lesson, student):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=student, email=student.email, primary=True, verified=True)
    login_url = ask_to_enroll(client, course, lesson, "login")
    assert login_url.startswith(reverse("account_login"))
    response = client.post(
        login_url, {"login": student.email, "password": "correct horse battery staple"}, follow=True
    )
    assert response.redirect_chain[-1][0] == lesson.url
    assert Enrollment.objects.filter(user=student, course_id=course.pk).exists()


def test_a_course_with_a_capacity_asks_for_confirmation_with_the_places_left(client, course, lesson, student):
    course.capacity = 5
    course.save_revision().publish()
    client.force_login(student)
    join_url = ask_to_enroll(client, course, lesson, "login")
    page = client.get(join_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "5 places left of 5." in html
    assert not Enrollment.objects.filter(user=student).exists()
    confirmed = client.post(reverse("courses:enroll", args=[course.pk]), {"next": lesson.url})
    assert confirmed.url == lesson.url
    assert Enrollment.objects.filter(user=student, course_id=course.pk).exists()


def test_a_link_from_elsewhere_never_enrolls_without_the_visitors_own_request(
    client, course, lesson, student
):
    client.force_login(student)
    page = client.get(reverse("courses:join", args=[course.pk]), {"next": lesson.url})
    assert page.status_code == 200
    assert "Enroll in “Wagtail basics”" in page.content.decode()
    assert not Enrollment.objects.filter(user=student).exists()


def test_next_pointing_to_another_site_is_ignored(client, course, student):
    client.force_login(student)
    response = client.post(reverse("courses:enroll", args=[course.pk]), {"next": "https://evil.example/"})
    assert response.url == course.url
