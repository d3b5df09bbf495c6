"""Factories for courses and lessons (wagtail-factories for pages, factory_boy for the rest)."""

import factory
import wagtail_factories
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from courses.models import Category, CourseIndexPage, CoursePage, Instructor, ModulePage
from home.models import HomePage
from lessons.models import LessonPage


class UserFactory(DjangoModelFactory):
    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct horse battery staple")

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)


class CategoryFactory(DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.LazyAttribute(lambda c: c.name.lower().replace(" ", "-"))

    class Meta:
        model = Category


class InstructorFactory(DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Instructor {n}")
    bio = "<p>Teaches things.</p>"
    user = factory.SubFactory(UserFactory)

    class Meta:
        model = Instructor


class HomePageFactory(wagtail_factories.PageFactory):
    title = "Ringlet"
    slug = "home"

    class Meta:
        model = HomePage


class CourseIndexPageFactory(wagtail_factories.PageFactory):
    title = "Courses"
    slug = "courses"

    class Meta:
        model = CourseIndexPage


class CoursePageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Course {n}")
    summary = factory.LazyAttribute(lambda c: f"A summary of {c.title}.")
    level = "beginner"
    category = factory.SubFactory(CategoryFactory)
    cover_image = factory.SubFactory(wagtail_factories.ImageFactory)

    class Meta:
        model = CoursePage


class ModulePageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Module {n}")

    class Meta:
        model = ModulePage


class LessonPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Lesson {n}")
    estimated_minutes = 10

    class Meta:
        model = LessonPage
