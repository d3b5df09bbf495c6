from django.core.management.base import BaseCommand

from home.demo import ensure_home_page
from lessons.student_demo import ensure_demo_student
from portal.demo import ensure_admin


class Command(BaseCommand):
    help = "Create or update the demo content. Safe to run any number of times."

    def handle(self, *args, **options):
        home = ensure_home_page()
        user, password = ensure_admin()
        self.stdout.write(self.style.SUCCESS(f"Home page: {home.title} (id {home.pk})"))
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Admin: http://127.0.0.1:8000/admin/"))
        self.stdout.write(f"  username: {user.username}")
        self.stdout.write(f"  password: {password}")
        student, student_password, course = ensure_demo_student()
        where = f", enrolled in “{course.title}”" if course else " (no course to enroll in yet)"
        self.stdout.write(f"Demo student: {student.username} / {student_password}{where}")
