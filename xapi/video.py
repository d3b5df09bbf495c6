"""Video sessions for the xAPI video profile: the played segments a student covered in one sitting.

A "play" opens a stretch at the position it starts from; "pause" and "ended" close it there. A
sitting ends after ``SESSION_GAP`` without events: the next play starts a new session (id).
"""

import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .models import VideoSession

SESSION_GAP = timedelta(minutes=30)


@transaction.atomic
def note(user, media_id, event, seconds):
    """Record ``event`` at ``seconds``; returns ``(session id, segments)`` after it."""
    session, created = VideoSession.objects.select_for_update().get_or_create(user=user, media_id=media_id)
    if not created and timezone.now() - session.updated_at > SESSION_GAP and event == "play":
        session.session_id, session.segments, session.playing_from = uuid.uuid4(), [], None
    if event == "play":
        session.playing_from = seconds
    elif session.playing_from is not None:
        start, end = sorted((session.playing_from, seconds))
        if end > start:
            session.segments = [*session.segments, [round(start, 3), round(end, 3)]]
        session.playing_from = None
    session.save()
    return session.session_id, session.segments
