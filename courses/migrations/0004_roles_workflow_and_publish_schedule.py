"""Data: the Editors and Instructors groups, the "Course review" workflow, scheduled publishing.

Kept in step with ``courses.roles`` and ``courses.scheduling`` (the same functions, run on
the historical models); running it again changes nothing.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    from courses.roles import ensure_groups, ensure_workflow
    from courses.scheduling import ensure_publish_schedule

    ensure_groups(apps)
    ensure_workflow(apps)
    ensure_publish_schedule(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0003_courseaccess"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailmedia", "0005_alter_media_options"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
