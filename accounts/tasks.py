"""The accounts app's tasks: allauth's emails that could not be sent during the request."""

from celery import shared_task

from .emails import message_from_dict, retry_if_transient

# As many tries as the course emails (courses/tasks.py): about a minute and a half of back-off,
# then the message stays failed in the worker's log (the student can ask for a new one).
EMAIL_RETRIES = 6


@shared_task(bind=True, max_retries=EMAIL_RETRIES, ignore_result=True)
def send_email(self, message):
    """Send an email rendered during a request (``emails.message_to_dict``), retrying while the
    mail server is down. At least once: a worker killed after sending sends it again."""
    try:
        message_from_dict(message).send()
    except Exception as error:
        retry_if_transient(self, error)
