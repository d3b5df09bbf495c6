"""Domain signals of the courses app: what happened to a student's enrollment, for other apps to act on.

In the manner of ``wagtail/signals.py``: each signal is sent **once per event**, **only after the
transaction that records it has committed** (so a listener never sees a change that is rolled
back), and with ``send_robust``: a listener that raises is logged and never breaks the request or
the other listeners. Listeners live in their app's ``signal_handlers.py``, are connected in its
``AppConfig.ready()``, stay thin and start their work as a task (certificates, emails, grade
passback, learning records).

Other apps import this module (it is public); they never send these signals.
"""

import logging

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

#: A student enrolled in a course (a new enrollment, not a repeated click).
#: Sent with ``sender=Enrollment`` and ``enrollment``, ``user``, ``course`` (the CoursePage).
enrolled = Signal()

#: A student left a course (their progress is kept).
#: Sent with ``sender=Enrollment`` and ``user``, ``course``.
unenrolled = Signal()

#: A student completed a course: its completion time was recorded, which happens once.
#: Sent with ``sender=Enrollment`` and ``enrollment``, ``user``, ``course``.
course_completed = Signal()

#: A course's certificate was issued to a student (the row was created, once per student and course).
#: Sent with ``sender=Certificate`` and ``certificate``, ``user``, ``course``.
certificate_issued = Signal()


def send_after_commit(signal, sender, **kwargs):
    """Send ``signal`` robustly once the current transaction commits (at once outside one).

    For the apps that own a domain signal (courses, lessons); errors raised by listeners are
    logged with the signal's name and never reach the caller.
    """

    def send():
        for receiver, response in signal.send_robust(sender, **kwargs):
            if isinstance(response, Exception):
                logger.error(
                    "Listener %r of a domain signal failed",
                    getattr(receiver, "__qualname__", receiver),
                    exc_info=response,
                )

    transaction.on_commit(send, robust=True)
