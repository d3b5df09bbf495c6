"""Who may work on a course in the admin: its Wagtail group and media collection (``courses.roles``)."""

from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import gettext_lazy as _


class CourseAccess(models.Model):
    """The group whose members (the course's instructors' accounts) hold the course's Wagtail
    page and collection permissions, and the collection its images, documents and media go in.

    Made and kept in step by ``courses.roles.sync_course_access`` (signal handlers), never by hand.
    """

    course = models.OneToOneField("courses.CoursePage", on_delete=models.CASCADE, related_name="access")
    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="course_access")
    collection = models.ForeignKey(
        "wagtailcore.Collection", null=True, on_delete=models.SET_NULL, related_name="course_access"
    )

    class Meta:
        verbose_name = _("course access")
        verbose_name_plural = _("course access")

    def __str__(self):
        return f"Access to course {self.course_id}"
