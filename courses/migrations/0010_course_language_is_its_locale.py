"""A course's language is its Wagtail locale (README, "Languages"): the free-text ``language``
field goes. A course whose field named another language than its locale is moved, with the
pages below it, into that language's locale (created if missing) before the field is dropped,
so what editors had said is kept; its URL then carries that language's prefix once the
language is in ``LANGUAGES``."""

from django.db import migrations


def language_to_locale(apps, schema_editor):
    Locale = apps.get_model("wagtailcore", "Locale")
    Page = apps.get_model("wagtailcore", "Page")
    CoursePage = apps.get_model("courses", "CoursePage")
    for course in CoursePage.objects.select_related("locale").order_by("path"):
        code = course.language or ""
        if not code or code == course.locale.language_code:
            continue
        locale, _ = Locale.objects.get_or_create(language_code=code)
        Page.objects.filter(path__startswith=course.path).update(locale=locale)


def locale_to_language(apps, schema_editor):
    CoursePage = apps.get_model("courses", "CoursePage")
    for course in CoursePage.objects.select_related("locale"):
        course.language = course.locale.language_code[:8]
        course.save(update_fields=["language"])


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0009_delivery_claims"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.RunPython(language_to_locale, locale_to_language),
        migrations.RemoveField(model_name="coursepage", name="language"),
    ]
