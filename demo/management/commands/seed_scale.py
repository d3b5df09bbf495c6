from django.core.management.base import BaseCommand
from django.db import connection

from demo.courses import ensure_catalogue
from demo.home import ensure_home_page
from demo.scale import seed_scale


class Command(BaseCommand):
    help = "Add many published courses and lessons (1,000 x 50 by default) for the benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--courses", type=int, default=1000)
        parser.add_argument("--lessons", type=int, default=50, help="Lessons per course.")
        parser.add_argument("--prefix", default="Scale", help="Starts every title and slug.")

    def handle(self, *args, courses, lessons, prefix, **options):
        catalogue = ensure_catalogue(ensure_home_page())
        made_courses, made_lessons = seed_scale(catalogue, courses, lessons, prefix)
        if connection.vendor == "postgresql":
            # Fresh statistics: planned on the empty tables' estimates, the first searches and
            # catalogue pages after a bulk load took seconds (nested loops over 50,000 rows).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(self.style.SUCCESS(f"Added {made_courses} courses and {made_lessons} lessons."))
