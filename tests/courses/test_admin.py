"""Authoring in the Wagtail admin as an instructor (a non-superuser in Wagtail's Moderators group)."""

import re

import pytest
from django.contrib.auth.models import Group
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from courses.models import Category
from demo.lessons import demo_assets, ensure_media
from lessons.blocks import LESSON_BLOCKS
from lessons.models import LessonPage
from tests.factories import CoursePageFactory, InstructorFactory, ModulePageFactory, UserFactory
from tests.media_fixtures import transcode_here


@pytest.fixture
def instructor_client(client, db):
    user = UserFactory(username="teacher")
    user.groups.add(Group.objects.get(name="Moderators"))
    InstructorFactory(user=user, name="Teacher")
    client.force_login(user)
    return client


def test_admin_add_and_edit_views_for_courses_and_lessons_render(instructor_client, catalogue):
    course = CoursePageFactory(parent=catalogue)
    module = ModulePageFactory(parent=course)
    lesson = LessonPage(title="A lesson", slug="a-lesson")
    module.add_child(instance=lesson)

    add_course = instructor_client.get(f"/admin/pages/add/courses/coursepage/{catalogue.pk}/")
    assert add_course.status_code == 200
    content = add_course.content.decode()
    for tab in ("Content", "Details", "Promote"):
        assert re.search(rf'role="tab"[^>]*>\s*{tab}\s*<', content), tab
    assert "Courses a student should complete first." in content  # help text
    assert instructor_client.get(f"/admin/pages/{course.pk}/edit/").status_code == 200
    assert instructor_client.get(f"/admin/pages/add/courses/modulepage/{course.pk}/").status_code == 200
    assert instructor_client.get(f"/admin/pages/add/lessons/lessonpage/{module.pk}/").status_code == 200
    assert instructor_client.get(f"/admin/pages/{lesson.pk}/edit/").status_code == 200


def test_admin_refuses_a_lesson_under_the_home_page(instructor_client, home):
    # Wagtail answers a refused page type with a redirect to the dashboard and an error message.
    response = instructor_client.get(f"/admin/pages/add/lessons/lessonpage/{home.pk}/")
    assert (response.status_code, response.url) == (302, "/admin/")
    response = instructor_client.post(
        f"/admin/pages/add/lessons/lessonpage/{home.pk}/",
        nested_form_data(
            {"title": "Stray", "slug": "stray", "estimated_minutes": "5", "body": streamfield([])}
        ),
    )
    assert (response.status_code, response.url) == (302, "/admin/")
    assert not LessonPage.objects.filter(slug="stray").exists()


def test_admin_refuses_a_module_outside_a_course(instructor_client, catalogue):
    response = instructor_client.get(f"/admin/pages/add/courses/modulepage/{catalogue.pk}/")
    assert (response.status_code, response.url) == (302, "/admin/")


def test_instructor_publishes_a_lesson_using_every_block_through_the_admin(instructor_client, catalogue):
    import wagtail_factories

    image = wagtail_factories.ImageFactory(title="Diagram")
    assets = {**demo_assets(), "video": ensure_media("Test pattern (demo video)", "video")}
    # The video block plays the media library's renditions, made here by the real pipeline.
    video = transcode_here(assets["video"])
    module = ModulePageFactory(parent=CoursePageFactory(parent=catalogue))
    body = streamfield(
        [
            ("heading", {"text": "Start here", "size": "h2"}),
            ("paragraph", rich_text("<p>Welcome to the lesson.</p>")),
            (
                "figure",
                {"image": {"image": image.pk, "decorative": "", "alt_text": "A diagram"}, "caption": ""},
            ),
            ("video", {"video": assets["video"].pk, "caption": "Watch", "transcript": rich_text("")}),
            ("audio", {"audio": assets["audio"].pk, "caption": "", "transcript": rich_text("")}),
            ("document", {"document": assets["handout"].pk, "caption": "", "show_inline": "on"}),
            ("code", {"language": "sql", "code": "SELECT 1;", "caption": ""}),
            ("callout", {"kind": "warning", "title": "Careful", "body": rich_text("<p>Hot.</p>")}),
            ("embed", {"embed": assets["embed_url"], "title": "Wagtail", "caption": ""}),
            (
                "resources",
                {
                    "heading": "Downloads",
                    "resources": {
                        "count": "1",
                        "0": {
                            "deleted": "",
                            "order": "0",
                            "id": "",
                            "value": {"document": assets["cheatsheet"].pk, "title": "", "description": ""},
                        },
                    },
                },
            ),
        ]
    )
    data = nested_form_data(
        {
            "title": "Built in the admin",
            "slug": "built",
            "estimated_minutes": "12",
            "summary": "",
            "body": body,
        }
    )
    data["action-publish"] = "action-publish"
    response = instructor_client.post(f"/admin/pages/add/lessons/lessonpage/{module.pk}/", data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    lesson = LessonPage.objects.get(slug="built")
    assert lesson.live
    # Every lesson block but the quiz and the content package, whose admin forms
    # tests/lessons/test_quiz.py and tests/packages fill in.
    assert [block.block_type for block in lesson.body] == [
        name for name, _ in LESSON_BLOCKS if name not in ("quiz", "package")
    ]
    html = instructor_client.get(lesson.url).content.decode()
    assert "SELECT 1;" in html and "Careful" in html
    assert f'<video class="media-player__element" data-media-id="{video.pk}"' in html
    assert f'<source src="/media-files/{video.pk}/{video.version}/' in html


def test_a_course_requiring_itself_is_refused_in_the_admin_and_nothing_is_saved(instructor_client, catalogue):
    course = CoursePageFactory(parent=catalogue, title="Loop")
    data = nested_form_data(
        {
            "title": "Loop renamed",
            "slug": "loop",
            "summary": "s",
            "level": "beginner",
            "language": "en",
            "description": rich_text(""),
            "learning_outcomes": streamfield([]),
            "tags": "",
        }
    )
    data["prerequisites"] = [str(course.pk)]
    response = instructor_client.post(f"/admin/pages/{course.pk}/edit/", data)
    assert response.status_code == 200
    assert "A course cannot require itself." in response.content.decode()
    course.refresh_from_db()
    assert course.title == "Loop"
    assert not course.prerequisites.exists()


def test_category_snippet_admin_lists_and_creates_categories(instructor_client, admin_client):
    assert admin_client.get("/admin/snippets/courses/category/").status_code == 200
    assert admin_client.get("/admin/snippets/courses/instructor/").status_code == 200
    response = admin_client.post(
        "/admin/snippets/courses/category/add/", {"name": "Design", "slug": "design"}
    )
    assert response.status_code == 302
    assert Category.objects.filter(slug="design").exists()


def test_previews_of_new_and_edited_courses_modules_and_lessons_render(instructor_client, catalogue):
    course = CoursePageFactory(parent=catalogue, title="Previewed")
    module = ModulePageFactory(parent=course)
    lesson = LessonPage(title="Old title", slug="old")
    module.add_child(instance=lesson)
    course_data = nested_form_data(
        {
            "title": "Course draft",
            "slug": "course-draft",
            "summary": "s",
            "level": "beginner",
            "language": "en",
            "description": rich_text(""),
            "learning_outcomes": streamfield([]),
            "tags": "",
        }
    )
    lesson_data = nested_form_data(
        {
            "title": "Lesson draft",
            "slug": "lesson-draft",
            "estimated_minutes": "5",
            "summary": "",
            "body": streamfield([("heading", {"text": "Previewed heading", "size": "h2"})]),
        }
    )
    module_data = nested_form_data({"title": "Module draft", "slug": "module-draft", "summary": ""})
    cases = [
        (f"/admin/pages/add/courses/coursepage/{catalogue.pk}/preview/", course_data, "Course draft"),
        (f"/admin/pages/add/courses/modulepage/{course.pk}/preview/", module_data, "Module draft"),
        (f"/admin/pages/add/lessons/lessonpage/{module.pk}/preview/", lesson_data, "Previewed heading"),
        (f"/admin/pages/{course.pk}/edit/preview/", course_data, "Course draft"),
        (f"/admin/pages/{lesson.pk}/edit/preview/", lesson_data, "Previewed heading"),
    ]
    for url, data, expected in cases:
        assert instructor_client.post(url, data).json()["is_valid"], url
        response = instructor_client.get(url)
        assert response.status_code == 200, url
        assert expected in response.content.decode(), url
