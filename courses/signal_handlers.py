"""Signal handlers of the courses app, connected in ``CoursesConfig.ready()``."""

from django.db.models.signals import post_delete, post_save
from wagtail.images import get_image_model

from home.services import bump_content_version

from .models import Category, Instructor


def course_details_changed(sender, **kwargs):
    """Course pages show categories, instructors and images: drop their cached details and pages."""
    bump_content_version()


def connect():
    for model in (Category, Instructor, get_image_model()):
        name = model._meta.label_lower
        post_save.connect(course_details_changed, sender=model, dispatch_uid=f"courses.details.{name}.saved")
        post_delete.connect(
            course_details_changed, sender=model, dispatch_uid=f"courses.details.{name}.deleted"
        )
