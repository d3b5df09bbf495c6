"""allauth's emails when the mail server is down or hangs (issue 22): the request succeeds and the
message waits in the outbox; a worker sends it, once the server answers (accounts/emails.py)."""

import pytest

from accounts.tasks import send_email
from outbox.models import Message
from tests.account_fixtures import PASSWORD
from tests.mail_server import MailServer
from tests.processes import free_port

SIGNUP = {
    "name": "Ada Lovelace",
    "email": "new.student@example.com",
    "password1": PASSWORD,
    "password2": PASSWORD,
}


@pytest.fixture
def mail_server():
    server = MailServer().start()
    yield server
    server.stop()


def use_smtp(settings, port):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_REQUEST_TIMEOUT = 1


def deferred_emails():
    return list(Message.objects.filter(task="accounts.tasks.send_email"))


@pytest.mark.django_db
@pytest.mark.parametrize("failure", ["refused", "hung"])
def test_signing_up_while_the_mail_server_fails_succeeds_and_a_worker_sends_the_code_later(
    client, settings, mail_server, failure
):
    if failure == "refused":
        use_smtp(settings, free_port())  # nothing listens there
    else:
        mail_server.hang = True
        use_smtp(settings, mail_server.port)

    response = client.post("/accounts/signup/", SIGNUP)

    assert response.status_code == 302, "the sign-up must not fail with the mail server"
    (message,) = deferred_emails()
    assert message.args[0]["to"] == [SIGNUP["email"]]

    # The server is back: the worker's task delivers the very message the request rendered.
    mail_server.hang = False
    use_smtp(settings, mail_server.port)
    send_email.apply(args=message.args).get()
    (received,) = mail_server.to(SIGNUP["email"])
    assert received.subject == message.args[0]["subject"]
    assert received.subject.startswith(f"[{settings.WAGTAIL_SITE_NAME}]")


@pytest.mark.django_db
def test_with_the_mail_server_up_allauth_sends_at_once_and_the_outbox_stays_empty(
    client, settings, mail_server
):
    use_smtp(settings, mail_server.port)
    response = client.post("/accounts/signup/", SIGNUP)
    assert response.status_code == 302
    assert len(mail_server.to(SIGNUP["email"])) == 1
    assert deferred_emails() == []


@pytest.mark.django_db
def test_a_rendered_email_survives_the_trip_through_the_outbox_unchanged(settings):
    from django.core.mail import EmailMultiAlternatives

    from accounts.emails import message_from_dict, message_to_dict

    original = EmailMultiAlternatives(
        subject="Ünïcode subject",
        body="text",
        from_email="a@example.com",
        to=["b@example.com"],
        headers={"X-Kind": "verification"},
    )
    original.attach_alternative("<p>html</p>", "text/html")
    copy = message_from_dict(message_to_dict(original))
    assert copy.message()["Subject"] == original.message()["Subject"]
    assert (copy.subject, copy.body, copy.to, copy.extra_headers, copy.alternatives) == (
        original.subject,
        original.body,
        original.to,
        original.extra_headers,
        original.alternatives,
    )
