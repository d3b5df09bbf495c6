"""The name on certificates: asked at sign-up, changed on the account page until a certificate
carries it, corrected by an editor who reissues the certificate; LinkedIn and a link to share."""

import io
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from accounts.services import certificate_name, certificate_name_locked
from courses.certificates import issue_certificate, store_pdf, verification_url
from courses.models import Certificate
from courses.services import enroll
from lessons.services import set_lesson_complete
from tests.account_fixtures import PASSWORD, make_student
from tests.page_fixtures import lessons_of
from tests.processes import wait_for

pytestmark = pytest.mark.django_db


def complete(user, course):
    enroll(user, course)
    for lesson in lessons_of(course):
        set_lesson_complete(user, lesson)


def pdf_text(certificate):
    certificate.refresh_from_db()
    with certificate.file.open("rb") as handle:
        return PdfReader(io.BytesIO(handle.read())).pages[0].extract_text()


def test_sign_up_asks_for_the_name_printed_on_certificates(client, course):
    form = client.get(reverse("account_signup")).content.decode()
    assert 'name="name"' in form and 'autocomplete="name"' in form
    assert form.index('name="name"') < form.index('name="email"')  # asked first
    assert "As it should be printed on your certificates." in form

    refused = client.post(reverse("account_signup"), {"email": "nina@example.com", "password1": PASSWORD})
    assert "This field is required." in refused.content.decode()
    client.post(
        reverse("account_signup"),
        {
            "name": "  Nina   Newbie ",
            "email": "nina@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    user = get_user_model().objects.get(email="nina@example.com")
    assert certificate_name(user) == "Nina Newbie"
    EmailAddress.objects.filter(user=user).update(verified=True)
    complete(user, course)
    certificate, _ = issue_certificate(user, course)
    assert certificate.student_name == "Nina Newbie"  # not allauth's username, "nina"
    assert "Nina Newbie" in pdf_text(store_pdf(certificate))


def test_the_account_page_changes_the_name_until_a_certificate_carries_it(client, course):
    user = make_student("nina@example.com")
    client.force_login(user)
    page = client.get(reverse("accounts_profile")).content.decode()
    assert "Name on your certificates" in page and 'name="certificate-name"' in page
    client.post(reverse("accounts_certificate_name"), {"certificate-name": "Nina Q. Newbie"})
    assert certificate_name(user) == "Nina Q. Newbie"
    empty = client.post(reverse("accounts_certificate_name"), {"certificate-name": "   "})
    assert empty.status_code == 400 and "This field is required." in empty.content.decode()
    assert certificate_name(user) == "Nina Q. Newbie"

    complete(user, course)
    issue_certificate(user, course)
    assert certificate_name_locked(user)
    page = client.get(reverse("accounts_profile")).content.decode()
    assert 'name="certificate-name"' not in page and "Nina Q. Newbie" in page
    assert "ask the course team to reissue your certificate" in page
    refused = client.post(
        reverse("accounts_certificate_name"), {"certificate-name": "Someone Else"}, follow=True
    )
    assert "can no longer be changed here" in refused.content.decode()
    assert certificate_name(user) == "Nina Q. Newbie"


@pytest.mark.django_db(transaction=True)
def test_an_editor_corrects_the_name_and_the_certificate_is_reissued_under_the_same_code(
    client, editor, build_course, celery_worker
):
    course = build_course("Reissued", modules=1, per_module=1)
    user = make_student("nina@example.com")
    complete(user, course)  # the worker issues, stores and emails the certificate
    certificate = wait_for(
        lambda: Certificate.objects.filter(user=user, emailed_at__isnull=False).first(),
        timeout=60,
        message="the worker to issue the certificate",
    )
    old_file = certificate.file.name
    assert certificate.student_name == "nina"  # signed up before the name was asked

    client.force_login(editor)
    edit = reverse("wagtailsnippets_courses_certificate:edit", args=[certificate.pk])
    form = client.get(edit).content.decode()
    assert "Name on the certificate" in form and "saving reissues the certificate" in form
    response = client.post(edit, {"student_name": "Nina Newbie", "revoked_reason": ""}, follow=True)
    assert "The certificate is being reissued to “Nina Newbie”" in response.content.decode()

    def reissued():
        certificate.refresh_from_db()
        return certificate.file and certificate.file.name != old_file and certificate.emailed_at

    wait_for(reissued, timeout=60, message="the worker to render and email the new PDF")
    assert certificate.code == Certificate.objects.get(pk=certificate.pk).code
    assert "Nina Newbie" in pdf_text(certificate) and verification_url(certificate) in pdf_text(certificate)
    assert not certificate.file.storage.exists(old_file)
    user = get_user_model().objects.get(pk=user.pk)
    assert certificate_name(user) == "Nina Newbie"  # later certificates carry it too


def test_the_owner_shares_the_certificate_page_and_adds_it_to_linkedin(client, course, settings):
    settings.WAGTAILADMIN_BASE_URL = "https://learn.example.com"
    user = make_student("nina@example.com")
    complete(user, course)
    certificate, _ = issue_certificate(user, course)
    store_pdf(certificate)
    url = reverse("courses:certificate_verify", args=[certificate.code])

    visitor = Client().get(url).content.decode()
    assert "This certificate is genuine." in visitor
    assert "Add to LinkedIn" not in visitor and "Share your certificate" not in visitor

    client.force_login(user)
    html = client.get(url).content.decode()
    assert "Share your certificate" in html
    assert f'value="https://learn.example.com{url}" readonly' in html
    linkedin = unescape(re.search(r'<a class="button" href="([^"]+)"[^>]*>Add to LinkedIn', html).group(1))
    parts = urlsplit(linkedin)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://www.linkedin.com/profile/add"
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    completed = certificate.completed_at
    assert query == {
        "startTask": "CERTIFICATION_NAME",
        "name": course.title,
        "organizationName": "Ringlet",
        "issueYear": str(completed.year),
        "issueMonth": str(completed.month),
        "certUrl": f"https://learn.example.com{url}",
        "certId": certificate.code,
    }
    assert reverse("courses:certificate_download", args=[certificate.code]) in html

    certificate.revoked = True
    certificate.save()
    assert "Add to LinkedIn" not in client.get(url).content.decode()


def test_the_dashboard_lists_the_certificates_actions_without_separators(client, course):
    user = make_student("nina@example.com")
    complete(user, course)
    store_pdf(issue_certificate(user, course)[0])
    client.force_login(user)
    html = client.get(reverse("courses:dashboard")).content.decode()
    actions = re.search(r'<ul class="actions dashboard-course__certificate">(.*?)</ul>', html, re.S).group(1)
    assert actions.count("<li>") == 2 and "·" not in actions
    assert "Share it or add it to LinkedIn" in actions
