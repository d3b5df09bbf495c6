"""Domain signals of the lessons app: what a student did in a lesson, for other apps to act on.

Sent as ``courses.signals`` describes: once per event, after commit, robustly.
Other apps import this module (it is public); they never send these signals.
"""

from django.dispatch import Signal

#: A student completed a lesson (a new completion; marking it again sends nothing).
#: Sent with ``sender=LessonCompletion`` and ``completion``, ``user``, ``lesson``, ``course``
#: (the lesson's CoursePage, or None for a lesson outside any course).
lesson_completed = Signal()

#: A student's quiz attempt was graded and stored (every attempt, passed or not).
#: Sent with ``sender=QuizAttempt`` and ``attempt`` (``score`` in percent, ``passed``,
#: ``quiz_id``), ``user``, ``lesson``, ``course``.
quiz_attempted = Signal()

#: A student played, paused or reached the end of a lesson's video or audio (the player's progress
#: posts that carry an ``event``). Sent with ``sender=PlaybackPosition`` and ``position`` (the
#: student's PlaybackPosition), ``user``, ``lesson``, ``course``, ``media_id``, ``event`` ("play",
#: "pause" or "ended"), ``seconds`` (where in the media) and ``duration`` (its probed length).
playback_event = Signal()
