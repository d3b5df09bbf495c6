"""Certificates: one per student per course, a real PDF, a public verification page, owner-only download."""

import io

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from courses.certificates import issue_certificate, render_pdf, verification_url
from courses.models import Certificate
from courses.services import enroll
from courses.tasks import issue_certificate as issue_certificate_task
from lessons.services import set_lesson_complete
from outbox.models import Message
from tests.courses.test_enrollment_concurrency import at_once
from tests.courses.test_notifications import assert_bulk_headers
from tests.factories import InstructorFactory, UserFactory
from tests.page_fixtures import lessons_of


def complete_course(user, course):
    enroll(user, course)
    for lesson in lessons_of(course):
        set_lesson_complete(user, lesson)


@pytest.fixture
def graduate(db, build_course):
    """A student, Ada Lovelace, who has completed a one-lesson course taught by two instructors."""
    course = build_course("Analytical engines", modules=1, per_module=1)
    course.instructors.add(
        InstructorFactory(name="Charles Babbage"), InstructorFactory(name="Mary Somerville")
    )
    course.save_revision().publish()
    user = UserFactory(username="ada", email="ada@example.com", first_name="Ada", last_name="Lovelace")
    complete_course(user, course)
    return user, course


def pdf_text(data):
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.mark.django_db
def test_the_pdf_is_valid_and_holds_name_course_date_instructors_code_and_url(graduate):
    user, course = graduate
    certificate, created = issue_certificate(user, course)
    assert created
    data = render_pdf(certificate)
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    assert "Ada Lovelace" in text
    assert "Analytical engines" in text
    assert f"on {timezone.localtime(certificate.completed_at):%-d %B %Y}" in text
    assert "Charles Babbage, Mary Somerville" in text
    assert certificate.code in text
    assert verification_url(certificate) in text
    assert verification_url(certificate) == f"http://testserver/certificates/{certificate.code}/"


@pytest.mark.django_db
def test_no_certificate_before_the_course_is_completed(student, course):
    enroll(student, course)
    assert issue_certificate(student, course) == (None, False)
    assert issue_certificate_task(student.pk, course.pk) is None
    assert not Certificate.objects.exists()


@pytest.mark.django_db
def test_the_task_stores_the_pdf_through_storage_and_emails_it_once(graduate):
    user, course = graduate
    code = issue_certificate_task(user.pk, course.pk)
    certificate = Certificate.objects.get(code=code)
    assert certificate.file.name.startswith("certificates/") and certificate.file.name.endswith(".pdf")
    with certificate.file.open("rb") as handle:
        assert "Ada Lovelace" in pdf_text(handle.read())
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@example.com"]
    assert message.subject == "Your certificate for “Analytical engines”"
    assert message.attachments[0][0] == f"certificate-{code}.pdf"
    assert message.attachments[0][2] == "application/pdf"
    assert verification_url(certificate) in message.body
    assert_bulk_headers(message)
    # Run again (a redelivered task): the same certificate, the same file, no second email.
    assert issue_certificate_task(user.pk, course.pk) == code
    assert Certificate.objects.get().file.name == certificate.file.name
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_completion_events_make_one_certificate(build_course, monkeypatch):
    course = build_course("Racing", modules=1, per_module=1)
    user = UserFactory(username="racer", email="racer@example.com")
    # The completion's own task stays in the outbox (a session's worker would otherwise run
    # it first); the threads below are the concurrent completion events.
    monkeypatch.setattr("outbox.relay.kick", lambda message_id: None)
    complete_course(user, course)
    results = at_once(*[lambda: issue_certificate_task(user.pk, course.pk) for _ in range(4)])
    assert len(set(results)) == 1
    assert Certificate.objects.filter(user=user, course=course).count() == 1
    assert len(mail.outbox) == 1  # the claim lets one of them send
    assert Certificate.objects.get(user=user, course=course).email_claimed_at is None


@pytest.mark.django_db(transaction=True)
def test_concurrent_lesson_completions_record_the_course_once_and_enqueue_once(build_course, monkeypatch):
    course = build_course("Two at once", modules=1, per_module=2)
    user = UserFactory(username="twice", email="twice@example.com")
    monkeypatch.setattr("outbox.relay.kick", lambda message_id: None)
    enroll(user, course)
    first, second = lessons_of(course)
    set_lesson_complete(user, first)
    at_once(*[lambda: set_lesson_complete(user, second) for _ in range(3)])
    enqueued = Message.objects.filter(task="courses.tasks.issue_certificate")
    assert list(enqueued.values_list("args", flat=True)) == [[user.pk, course.pk]]


@pytest.mark.django_db
def test_the_verification_page_confirms_then_shows_revoked(client, graduate):
    user, course = graduate
    certificate, _ = issue_certificate(user, course)
    url = reverse("courses:certificate_verify", args=[certificate.code])
    html = client.get(url).content.decode()
    assert "This certificate is genuine." in html
    assert "Ada Lovelace" in html and "Analytical engines" in html
    assert certificate.completed_at.strftime("%-d %B %Y") in html
    # Lower case and spaces around the code are forgiven.
    assert client.get(f"/certificates/{certificate.code.lower()}/").status_code == 200

    certificate.revoked = True
    certificate.revoked_reason = "Issued in error."
    certificate.save()
    html = client.get(url).content.decode()
    assert "This certificate has been revoked" in html and "Issued in error." in html
    assert "genuine" not in html


@pytest.mark.django_db
def test_an_unknown_code_gets_a_clear_404_page(client):
    response = client.get("/certificates/AAAA-BBBB-CCCC/")
    assert response.status_code == 404
    assert "No certificate has this code" in response.content.decode()


@pytest.mark.django_db
def test_only_the_owner_can_download_the_pdf(client, graduate, other_student):
    user, course = graduate
    code = issue_certificate_task(user.pk, course.pk)
    url = reverse("courses:certificate_download", args=[code])
    assert Client().get(url).status_code == 302  # to log in
    client.force_login(other_student)
    assert client.get(url).status_code == 404
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "Ada Lovelace" in pdf_text(b"".join(response.streaming_content))
    dashboard = client.get(reverse("courses:dashboard")).content.decode()
    assert f'href="{url}"' in dashboard


@pytest.mark.django_db
def test_editors_revoke_a_certificate_in_the_admin(client, editor, graduate):
    user, course = graduate
    certificate, _ = issue_certificate(user, course)
    client.force_login(editor)
    listing = client.get(reverse("wagtailsnippets_courses_certificate:list"))
    assert listing.status_code == 200 and certificate.code in listing.content.decode()
    edit = reverse("wagtailsnippets_courses_certificate:edit", args=[certificate.pk])
    response = client.post(
        edit, {"student_name": "Ada Lovelace", "revoked": "on", "revoked_reason": "Plagiarised work."}
    )
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert (
        certificate.revoked and certificate.revoked_at and certificate.revoked_reason == "Plagiarised work."
    )
    assert certificate.student_name == "Ada Lovelace"  # unchanged: not reissued


@pytest.mark.django_db
def test_issue_certificates_enqueues_only_completions_without_a_finished_certificate(graduate, build_course):
    from django.core.management import call_command

    user, course = graduate
    other = build_course("Older course", modules=1, per_module=1)
    complete_course(user, other)
    issue_certificate_task(user.pk, course.pk)  # this one is done
    out = io.StringIO()
    call_command("issue_certificates", stdout=out)
    # Through the outbox (the broker may be down); the completions' own events never
    # committed here, so the command's are the only messages.
    enqueued = Message.objects.filter(task="courses.tasks.issue_certificate")
    assert list(enqueued.values_list("args", flat=True)) == [[user.pk, other.pk]]
    assert "Enqueued 1 certificate(s)." in out.getvalue()
