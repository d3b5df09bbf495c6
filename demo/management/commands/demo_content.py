from django.conf import settings
from django.core.management.base import BaseCommand

from demo.admin import ensure_admin
from demo.courses import ensure_catalogue, ensure_courses, ensure_instructor
from demo.enrollment import ensure_demo_enrollment
from demo.home import ensure_home_blocks, ensure_home_page, ensure_site_address
from demo.lessons import ensure_lessons
from demo.students import ensure_student
from demo.translations import ensure_french


class Command(BaseCommand):
    help = "Create or update the demo content. Safe to run any number of times."

    def handle(self, *args, **options):
        home = ensure_home_page()
        # The site's address, as make run serves it (WEB_PORT): what the logins below, emails
        # and certificates link to.
        base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
        ensure_site_address(base)
        user, password = ensure_admin()
        catalogue = ensure_catalogue(home)
        home = ensure_home_blocks(home, catalogue)
        lessons = ensure_lessons(ensure_courses(catalogue, ensure_instructor(user)))
        self.stdout.write(self.style.SUCCESS(f"Catalogue: {catalogue.url} ({lessons} demo lessons)"))
        self.stdout.write(self.style.SUCCESS(f"Home page: {home.title} (id {home.pk})"))
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Admin: {base}/admin/"))
        self.stdout.write(f"  username: {user.username}")
        self.stdout.write(f"  password: {password}")
        student = ensure_student(password)
        self.stdout.write(self.style.SUCCESS(f"Student: {base}/accounts/login/"))
        self.stdout.write(f"  email: {student.email}")
        self.stdout.write(f"  password: {password} (the admin's)")
        course = ensure_demo_enrollment(student)
        if course:
            self.stdout.write(f"  enrolled in “{course.title}”")
        # With French among LANGUAGES (make run's default), the demo in French too, at /fr/.
        translated = ensure_french(home)
        if translated:
            self.stdout.write(self.style.SUCCESS(f"In French: {base}/fr/ ({translated} pages translated)"))
