"""The demo student's enrollment (called by ``manage.py demo_content`` after the demo courses exist)."""

from courses import services as courses
from lessons.services import set_lesson_complete


def ensure_demo_enrollment(user):
    """Enroll ``user`` in the first open course with lessons; return that course, or None.

    The first lesson is marked complete so that "Continue where you left off" has
    somewhere to go.
    """
    for course in courses.live_courses():
        lessons = courses.published_lessons(course)
        if not lessons:
            continue
        try:
            _, created = courses.enroll(user, course)
        except courses.EnrollmentRefused:
            continue
        if created:
            set_lesson_complete(user, lessons[0])
        return course
    return None
