"""Snippets that describe courses: categories students filter by, and the instructors who teach."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField


class Category(models.Model):
    """A subject area students filter the catalogue by (managed as a snippet)."""

    name = models.CharField(max_length=100, unique=True, verbose_name=_("name"))
    slug = models.SlugField(
        max_length=100, unique=True, help_text=_("Used in catalogue filter URLs."), verbose_name=_("slug")
    )
    description = models.TextField(blank=True, verbose_name=_("description"))

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.name


class Instructor(models.Model):
    """A person who teaches courses, optionally linked to the user account they sign in with."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="instructor_profile",
        help_text=_("The account this instructor signs in with, if any."),
        verbose_name=_("user"),
    )
    name = models.CharField(max_length=150, verbose_name=_("name"))
    bio = RichTextField(blank=True, features=["bold", "italic", "link"], verbose_name=_("bio"))
    photo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("A square portrait works best."),
        verbose_name=_("photo"),
    )

    panels = [FieldPanel("name"), FieldPanel("user"), FieldPanel("bio"), FieldPanel("photo")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("instructor")
        verbose_name_plural = _("instructors")

    def __str__(self):
        return self.name
