"""The demo student created by ``manage.py demo_content``."""

from io import StringIO

from django.core.management import call_command

from courses.enrollment import Enrollment
from courses.services import course_progress
from lessons.student_demo import demo_student_password, ensure_demo_student


def test_demo_student_is_enrolled_with_one_lesson_done_and_reruns_change_nothing(build_course):
    build_course("Empty first", modules=0, per_module=0)
    course = build_course("Demo course", modules=1, per_module=3)
    user, password, enrolled_in = ensure_demo_student()
    assert enrolled_in.pk == course.pk
    assert user.check_password(password)
    assert course_progress(user, course).done == 1

    again, same_password, _ = ensure_demo_student()
    assert (again.pk, same_password) == (user.pk, password)
    assert Enrollment.objects.filter(user=user).count() == 1
    assert course_progress(user, course).done == 1


def test_demo_content_command_prints_the_student_login(db):
    out = StringIO()
    call_command("demo_content", stdout=out)
    assert f"Demo student: student / {demo_student_password()}" in out.getvalue()
