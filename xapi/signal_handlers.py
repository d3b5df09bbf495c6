"""Learning records from the domain signals: each listener writes one statement (sent by a task).

Connected in ``XapiConfig.ready()``. The signals arrive after their transaction committed;
with no LRS configured the listeners return at once.
"""

from . import services, statements


def enrolled(sender, enrollment, user, course, **kwargs):
    if services.enabled():
        services.record(statements.enrolled(user, course, enrollment.enrolled_at), user)


def course_completed(sender, enrollment, user, course, **kwargs):
    if services.enabled():
        services.record(statements.course_completed(user, course, enrollment.completed_at), user)


def lesson_completed(sender, completion, user, lesson, course, **kwargs):
    if services.enabled():
        services.record(statements.lesson_completed(user, lesson, course, completion.completed_at), user)


def quiz_attempted(sender, attempt, user, lesson, course, **kwargs):
    if services.enabled():
        services.record(statements.quiz_attempted(user, attempt, lesson, course), user)


def playback_event(sender, position, user, lesson, course, media_id, event, seconds, duration, **kwargs):
    if not services.enabled():
        return
    from . import video

    session_id, segments = video.note(user, media_id, event, seconds)
    media = position.media
    services.record(
        statements.video(
            user,
            event,
            media_id,
            media.type,
            media.title,
            lesson,
            course,
            seconds,
            duration,
            session_id,
            segments,
        ),
        user,
    )


def h5p_statement(sender, attempt, user, lesson, course, package, statement, **kwargs):
    if services.enabled():
        services.record(statements.from_h5p(user, statement, lesson, course, package), user)


def connect():
    from courses import signals as course_signals
    from lessons import signals as lesson_signals
    from packages import signals as package_signals

    course_signals.enrolled.connect(enrolled, dispatch_uid="xapi.enrolled")
    course_signals.course_completed.connect(course_completed, dispatch_uid="xapi.course_completed")
    lesson_signals.lesson_completed.connect(lesson_completed, dispatch_uid="xapi.lesson_completed")
    lesson_signals.quiz_attempted.connect(quiz_attempted, dispatch_uid="xapi.quiz_attempted")
    lesson_signals.playback_event.connect(playback_event, dispatch_uid="xapi.playback_event")
    package_signals.h5p_statement.connect(h5p_statement, dispatch_uid="xapi.h5p_statement")
