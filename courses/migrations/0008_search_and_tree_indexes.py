"""Indexes on Wagtail's own tables that the catalogue's queries need at scale (issue 10).

- ``wagtailcore_page (path) WHERE NOT live``: ``courses.visibility.reachable`` looks for an
  unpublished page above each page it filters; with this partial index that is a probe into
  the (few) unpublished pages instead of a scan of the whole page table per row.
- ``wagtailsearch_indexentry USING gin ((title || body))``: Wagtail's PostgreSQL search
  filters on ``title || body @@ query``; its GIN indexes on each column alone cannot serve
  that expression, so every search read all 51,000 entries.

Raw SQL because the tables belong to Wagtail's apps (an AddIndex here cannot name their
models); the GIN index is PostgreSQL's only (SQLite searches without it).
"""

from django.db import migrations

NOT_LIVE = "courses_page_path_not_live"
ENTRY_VECTOR = "courses_search_entry_vector"


def add_indexes(apps, schema_editor):
    execute = schema_editor.execute
    execute(f"CREATE INDEX IF NOT EXISTS {NOT_LIVE} ON wagtailcore_page (path) WHERE NOT live")
    if schema_editor.connection.vendor == "postgresql":
        execute(
            f"CREATE INDEX IF NOT EXISTS {ENTRY_VECTOR} ON wagtailsearch_indexentry USING gin ((title || body))"
        )


def drop_indexes(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {NOT_LIVE}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {ENTRY_VECTOR}")


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0007_course_duration_help_text"),
        ("wagtailcore", "0001_initial"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [migrations.RunPython(add_indexes, drop_indexes)]
