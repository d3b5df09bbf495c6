"""The beat schedules of the course emails, and the editors' right to revoke certificates.

The reminder job runs hourly and the instructor digest weekly (Mondays 07:00 in the site's
time zone); both are rows for django-celery-beat's DatabaseScheduler, so operators can
change them in the admin without a deploy.
"""

from django.conf import settings
from django.db import migrations

REMINDERS = "Remind inactive students (hourly)"
DIGEST = "Weekly instructor digest"


def create_schedules(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    hourly, _ = IntervalSchedule.objects.get_or_create(every=1, period="hours")
    PeriodicTask.objects.update_or_create(
        name=REMINDERS, defaults={"task": "courses.tasks.send_reminders", "interval": hourly, "enabled": True}
    )
    monday, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="7", day_of_week="1", day_of_month="*", month_of_year="*", timezone=settings.TIME_ZONE
    )
    PeriodicTask.objects.update_or_create(
        name=DIGEST, defaults={"task": "courses.tasks.send_instructor_digests", "crontab": monday, "enabled": True}
    )


def remove_schedules(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[REMINDERS, DIGEST]).delete()


def grant_certificate_permissions(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(app_label="courses", model="certificate")
    for codename, name in [("view_certificate", "Can view certificate"), ("change_certificate", "Can change certificate")]:
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
        for group in Group.objects.filter(name__in=["Editors", "Moderators"]):
            group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0005_certificates_and_notifications"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("wagtailcore", "0002_initial_data"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(create_schedules, remove_schedules),
        migrations.RunPython(grant_certificate_permissions, migrations.RunPython.noop),
    ]
