"""An idempotent demo student (called by ``manage.py demo_content`` after the demo courses exist)."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model

from courses import services as courses

from .tracking import set_lesson_complete


def demo_student_password():
    """Generated once and kept in var/, like the demo admin's, so it survives re-runs."""
    path = settings.VAR_DIR / "demo-student-password"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(12))
        path.chmod(0o600)
    return path.read_text().strip()


def ensure_demo_student(username="student", email="student@example.com"):
    """Return ``(user, password, course)``: a student enrolled in the first open course with lessons.

    The first lesson is marked complete so that "Continue where you left off" has
    somewhere to go. ``course`` is None when there is no course to enroll in yet.
    """
    password = demo_student_password()
    user, _ = get_user_model().objects.get_or_create(username=username, defaults={"email": email})
    if not user.check_password(password) or not user.is_active:
        user.set_password(password)
        user.is_active = True
        user.save()
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
        return user, password, course
    return user, password, None
