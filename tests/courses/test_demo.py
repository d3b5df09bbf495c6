"""The demo content: three categories, three courses with modules and lessons using every block."""

import pytest
from django.core.management import call_command
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtailmedia.models import get_media_model

from courses.models import Category, CourseIndexPage, CoursePage, ModulePage
from courses.services import enroll
from lessons.blocks import LESSON_BLOCKS
from lessons.models import LessonPage
from lessons.services import set_lesson_complete
from tests.factories import UserFactory


def counts():
    return {
        "categories": Category.objects.count(),
        "catalogues": CourseIndexPage.objects.count(),
        "courses": CoursePage.objects.live().count(),
        "modules": ModulePage.objects.live().count(),
        "lessons": LessonPage.objects.live().count(),
        "documents": get_document_model().objects.count(),
        "media": get_media_model().objects.count(),
        "images": get_image_model().objects.count(),
    }


@pytest.mark.django_db
def test_demo_content_is_idempotent_and_uses_every_block(client, settings):
    settings.DEMO_ADMIN_PASSWORD = "demo-password-for-tests"
    call_command("demo_content")
    first = counts()
    call_command("demo_content")
    assert counts() == first
    assert first == {
        "categories": 3,
        "catalogues": 1,
        "courses": 3,
        "modules": 5,
        "lessons": 10,
        "documents": 2,
        "media": 2,
        "images": 3,
    }
    used = {block.block_type for lesson in LessonPage.objects.all() for block in lesson.body}
    assert used == {name for name, _ in LESSON_BLOCKS}
    assert {media.type for media in get_media_model().objects.all()} == {"video", "audio"}
    assert CoursePage.objects.get(slug="audio-and-video-for-learning").prerequisite_ids == [
        CoursePage.objects.get(slug="wagtail-for-beginners").pk
    ]
    for page in [
        CourseIndexPage.objects.get(),
        *CoursePage.objects.all(),
        *LessonPage.objects.filter(free_preview=True),
    ]:
        assert client.get(page.url).status_code == 200, page.url
    # The other lessons are for students: visitors are asked to log in, enrolled students read them.
    gated = LessonPage.objects.filter(free_preview=False)
    assert gated.exists()
    for page in gated:
        assert client.get(page.url)["Location"].startswith("/accounts/login/"), page.url
    # A student who works through the courses in an order their prerequisites allow.
    student = UserFactory(username="demo-reader")
    for course in sorted(CoursePage.objects.all(), key=lambda c: len(c.prerequisite_ids)):
        enroll(student, course)
        for lesson in LessonPage.objects.descendant_of(course):
            set_lesson_complete(student, lesson)
    client.force_login(student)
    for page in LessonPage.objects.all():
        assert client.get(page.url).status_code == 200, page.url


@pytest.mark.django_db
def test_every_demo_course_has_a_quiz_even_in_demo_content_made_before_quizzes():
    from lessons.services import quizzes_of

    call_command("demo_content")
    tour = LessonPage.objects.filter(title="Tour of a lesson").first()
    tour.body = [(b.block_type, b.value) for b in tour.body if b.block_type != "quiz"]  # as before quizzes
    tour.save_revision().publish()
    call_command("demo_content")
    for course in CoursePage.objects.live():
        lessons = LessonPage.objects.live().descendant_of(course)
        assert any(quizzes_of(lesson) for lesson in lessons), course.title
