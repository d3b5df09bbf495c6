from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone


# Acknowledged on start, like every periodic task: a run lost with its worker is the next one's.
@shared_task(acks_late=False, soft_time_limit=300, time_limit=360)
def clear_expired_sessions():
    """Delete expired sessions (scheduled daily by beat); returns how many went."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
