"""Listeners of the lti app, connected in ``LtiConfig.ready()``: grade passback from the domain
signals (``lessons.signals.quiz_attempted``, ``courses.signals.course_completed``).

They are sent after commit; each listener records the scores to post (rows that exist once per
event) and starts the task that posts them through the outbox, in the same transaction: a
broker outage delays a grade and never loses it (``tasks.retry_pending_grades`` in beat also
starts any post still pending).
"""

from courses import signals as course_signals
from lessons import signals as lesson_signals
from outbox.services import enqueue

from . import grades, tasks


def quiz_attempted(sender, attempt, user, lesson, course, **kwargs):
    for post_id in grades.record_quiz_attempt(attempt, user, lesson, course):
        enqueue(tasks.post_grade, post_id)


def course_completed(sender, enrollment, user, course, **kwargs):
    for post_id in grades.record_course_completion(enrollment, user, course):
        enqueue(tasks.post_grade, post_id)


def connect():
    lesson_signals.quiz_attempted.connect(quiz_attempted, dispatch_uid="lti.quiz_attempted")
    course_signals.course_completed.connect(course_completed, dispatch_uid="lti.course_completed")
