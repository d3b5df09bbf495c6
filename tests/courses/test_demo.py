"""The demo content: three categories, three courses with modules and lessons using every block."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Site
from wagtailmedia.models import get_media_model

from courses.models import Category, CourseIndexPage, CoursePage, ModulePage
from courses.services import enroll
from lessons.blocks import LESSON_BLOCKS
from lessons.models import LessonPage
from lessons.services import quizzes_passed, set_lesson_complete
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
    settings.WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8400"  # `WEB_PORT=8400 make run`
    output = io.StringIO()
    call_command("demo_content", stdout=output)
    # The logins it prints, and Wagtail's own absolute page URLs, are on the port it serves on.
    assert "Admin: http://127.0.0.1:8400/admin/" in output.getvalue()
    assert "Student: http://127.0.0.1:8400/accounts/login/" in output.getvalue()
    assert Site.objects.get(is_default_site=True).root_url == "http://127.0.0.1:8400"
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
        "media": 4,  # a lecture per course and the tone
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
    # The other lessons are for students: visitors are told so, enrolled students read them.
    gated = LessonPage.objects.filter(free_preview=False)
    assert gated.exists()
    for page in gated:
        response = client.get(page.url)
        assert response.status_code == 403 and b"for enrolled students" in response.content, page.url
    # Each course's exercises are in its own language: no shell in the Python course.
    languages = {
        course.slug: {
            block.value["language"]
            for lesson in LessonPage.objects.descendant_of(course)
            for block in lesson.body
            if block.block_type == "code"
        }
        for course in CoursePage.objects.all()
    }
    assert languages["python-foundations"] == {"python"}
    assert languages["audio-and-video-for-learning"] == {"python", "bash"}  # the tour, and ffmpeg
    # The demo student's completed lesson has its quiz passed, as a real student's would.
    demo_student = get_user_model().objects.get(email="student@example.com")
    done = LessonPage.objects.filter(completions__user=demo_student)
    assert done.count() == 1
    assert all(quizzes_passed(demo_student, lesson) for lesson in done)
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
def test_each_demo_course_has_its_own_cover_and_a_captioned_720p_lecture_also_in_a_gated_lesson(settings):
    import hashlib
    import subprocess

    settings.DEMO_ADMIN_PASSWORD = "demo-password-for-tests"
    call_command("demo_content")
    courses = list(CoursePage.objects.all())
    covers = {hashlib.sha256(course.cover_image.file.read()).hexdigest() for course in courses}
    assert len(covers) == 3
    lectures = get_media_model().objects.filter(title__startswith="Lecture: ")
    assert lectures.count() == 3
    for lecture in lectures:
        assert (lecture.width, lecture.height) == (1280, 720) and 60 <= lecture.duration <= 90
        command = ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0"]
        probe = subprocess.run([*command, lecture.file.path], capture_output=True, text=True, check=True)
        assert 60 <= float(probe.stdout) <= 90
        caption = lecture.captions.get()
        assert caption.is_default and caption.language == "en"
        assert caption.file.read().decode().startswith("WEBVTT")
    for course in courses:
        lessons = LessonPage.objects.descendant_of(course).live()
        preview = [lesson for lesson in lessons if lesson.free_preview]
        gated_media = {mid for lesson in lessons if not lesson.free_preview for mid in lesson.media_ids()}
        assert len(preview) == 1
        # Its own lecture in its own lessons (no other course's cover or video).
        own = lectures.get(title=f"Lecture: {course.title}")
        assert own.pk in preview[0].media_ids() and own.pk in gated_media
        figures = [block.value["image"] for block in preview[0].body if block.block_type == "figure"]
        assert figures == [course.cover_image]


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
