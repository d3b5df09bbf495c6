"""Preview as a visitor and as an enrolled student, for courses and lessons, drafts included."""

import pytest
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from tests.page_fixtures import lessons_of, make_media, quiz_value


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def preview(client, page, data, mode):
    url = f"/admin/pages/{page.pk}/edit/preview/"
    assert client.post(url, data).json()["is_valid"]
    response = client.get(url, {"mode": mode})
    assert response.status_code == 200
    return response.content.decode()


def course_data(course):
    data = nested_form_data(
        {
            "title": course.title,
            "slug": course.slug,
            "summary": "s",
            "level": "beginner",
            "language": "en",
            "description": rich_text(""),
            "learning_outcomes": streamfield([]),
            "tags": "",
        }
    )
    return data


def lesson_data(lesson, heading="The lesson's own heading", **extra):
    return nested_form_data(
        {
            "title": lesson.title,
            "slug": lesson.slug,
            "estimated_minutes": "5",
            "summary": "",
            "body": streamfield([("heading", {"text": heading, "size": "h2"})]),
            **extra,
        }
    )


def test_course_and_lesson_pages_offer_the_preview_modes(course):
    lesson = lessons_of(course)[0]
    for page in (course, lesson):
        assert [label for _, label in page.preview_modes] == [
            "Default",
            "As a visitor",
            "As an enrolled student",
        ]


def test_a_course_previewed_as_a_visitor_offers_enrollment_and_as_a_student_shows_sample_progress(
    editor_client, course
):
    visitor = preview(editor_client, course, course_data(course), "visitor")
    assert "Enroll in this course" in visitor and "You will be asked to log in first." in visitor
    assert "Your progress" not in visitor
    student = preview(editor_client, course, course_data(course), "student")
    assert "Your progress" in student and "Leave this course" in student
    assert "1 of 4" in student  # a third of four lessons, rounded down to one
    default = preview(editor_client, course, course_data(course), "")
    assert "Your progress" not in default


def test_a_gated_lesson_previewed_as_a_visitor_shows_the_gate_not_the_lesson(editor_client, course):
    lesson = lessons_of(course)[1]
    visitor = preview(editor_client, lesson, lesson_data(lesson), "visitor")
    assert f"Log in to read “{lesson.title}”." in visitor
    assert "The lesson&#x27;s own heading" not in visitor and "The lesson's own heading" not in visitor
    student = preview(editor_client, lesson, lesson_data(lesson), "student")
    assert "The lesson" in student and "own heading" in student and "Mark as complete" in student
    default = preview(editor_client, lesson, lesson_data(lesson), "")
    assert "own heading" in default


def test_a_free_preview_lesson_previewed_as_a_visitor_shows_the_lesson(editor_client, course):
    lesson = lessons_of(course)[0]
    visitor = preview(editor_client, lesson, lesson_data(lesson, free_preview="on"), "visitor")
    assert "own heading" in visitor and "Log in to read" not in visitor


def test_a_drip_lesson_previewed_as_a_student_shows_when_it_opens(editor_client, course):
    lesson = lessons_of(course)[1]
    student = preview(editor_client, lesson, lesson_data(lesson, opens_after_days="10"), "student")
    assert f"“{lesson.title}” opens on" in student and "own heading" not in student


def test_a_draft_lesson_is_previewed_as_if_published(editor_client, course):
    lesson = lessons_of(course)[0]
    lesson.unpublish()
    visitor = preview(editor_client, lesson, lesson_data(lesson), "visitor")
    assert f"Log in to read “{lesson.title}”." in visitor


def test_media_still_processing_shows_a_processing_frame_in_a_preview(editor_client, course):
    lesson = lessons_of(course)[0]
    media = make_media("Fresh upload")
    data = nested_form_data(
        {
            "title": lesson.title,
            "slug": lesson.slug,
            "estimated_minutes": "5",
            "summary": "",
            "body": streamfield([("video", {"video": media.pk, "caption": "", "transcript": rich_text("")})]),
        }
    )
    for mode in ("", "student"):
        html = preview(editor_client, lesson, data, mode)
        assert "media-player__frame" in html and "Preview: “Fresh upload” is" in html


def list_block(items):
    """ListBlock form data (count, and each child's value, id, order and deleted flag)."""
    data = {"count": len(items)}
    for number, value in enumerate(items):
        data[str(number)] = {"value": value, "id": f"item-{number}", "order": number, "deleted": ""}
    return data


def quiz_form_value(quiz):
    """A quiz block value (``tests.page_fixtures.quiz_value``) as the page editor posts it."""
    return {
        "title": quiz["title"],
        "pass_mark": str(quiz["pass_mark"]),
        "max_attempts": "" if quiz["max_attempts"] is None else str(quiz["max_attempts"]),
        "questions": list_block(
            [
                {
                    "prompt": question["prompt"],
                    "kind": question["kind"],
                    "options": list_block(
                        [
                            {"text": option["text"], **({"correct": "on"} if option["correct"] else {})}
                            for option in question["options"]
                        ]
                    ),
                    "explanation": rich_text(question["explanation"]),
                }
                for question in quiz["questions"]
            ]
        ),
    }


def test_a_lesson_with_a_quiz_previews_as_an_enrolled_student_and_as_a_visitor(editor_client, course):
    """The sample student is unsaved: the quiz shows untried instead of looking up their attempts."""
    lesson = lessons_of(course)[1]  # the sample student completed the first one
    quiz = quiz_value(pass_mark=70, max_attempts=3)
    data = lesson_data(lesson)
    data.update(nested_form_data({"body": streamfield([("quiz", quiz_form_value(quiz))])}))
    student = preview(editor_client, lesson, data, "student")
    assert "Which page type holds lessons?" in student and "Which are Wagtail block types?" in student
    assert "3 attempts allowed, 3 left." in student
    assert "Pass the quiz above to complete this lesson." in student
    assert "your last score" not in student
    visitor = preview(editor_client, lesson, {**data, "free_preview": "on"}, "visitor")
    assert "Which page type holds lessons?" in visitor
    assert "Enroll in the course to take this quiz." in visitor
