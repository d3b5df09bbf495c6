"""The read-only headless API at /api/ (documented in the README)."""

import pytest

from tests.courses.test_catalogue import hide_in_three_ways
from tests.factories import CategoryFactory, CoursePageFactory, InstructorFactory, LessonPageFactory

COURSE_LISTING_FIELDS = {"id", "meta", "title", "summary", "cover_image", "category_name", "level"} | {
    "language",
    "estimated_hours",
    "duration_minutes",
}
COURSE_DETAIL_FIELDS = COURSE_LISTING_FIELDS | {
    "description",
    "instructor_names",
    "learning_outcome_list",
    "prerequisite_ids",
    "tag_names",
}
LESSON_LISTING_FIELDS = {"id", "meta", "title", "summary", "estimated_minutes", "free_preview"}
LESSON_DETAIL_FIELDS = LESSON_LISTING_FIELDS | {"course", "body", "opens_after_days"}


@pytest.fixture
def course(catalogue):
    course = CoursePageFactory(
        parent=catalogue,
        title="API course",
        category=CategoryFactory(name="Web"),
        level="intermediate",
        estimated_hours="1.5",
        learning_outcomes=[("outcome", "Read JSON")],
    )
    course.instructors.add(InstructorFactory(name="Linus"))
    course.tags.add("api")
    course.save()
    return course


def test_course_listing_has_the_documented_fields(client, course):
    data = client.get("/api/courses/").json()
    assert data["meta"]["total_count"] == 1
    item = data["items"][0]
    assert set(item) == COURSE_LISTING_FIELDS
    assert item["meta"]["type"] == "courses.CoursePage"
    assert item["meta"]["html_url"].endswith("/courses/api-course/")
    assert (item["category_name"], item["level"], item["language"], item["estimated_hours"]) == (
        "Web",
        "intermediate",
        "en",
        "1.5",
    )
    assert (
        item["cover_image"]["url"].endswith(".fill-640x360.jpg")
        or ".fill-640x360." in item["cover_image"]["url"]
    )
    assert set(item["cover_image"]) >= {"url", "width", "height", "alt"}


def test_course_detail_has_the_documented_fields(client, course):
    data = client.get(f"/api/courses/{course.pk}/").json()
    assert set(data) == COURSE_DETAIL_FIELDS
    assert data["instructor_names"] == ["Linus"]
    assert data["learning_outcome_list"] == ["Read JSON"]
    assert data["tag_names"] == ["api"]
    assert data["prerequisite_ids"] == []


def test_lesson_endpoints_have_the_documented_fields_and_hide_non_preview_bodies(client, course):
    preview = LessonPageFactory(
        parent=course, title="Preview", free_preview=True, body=[("paragraph", "<p>Free text</p>")]
    )
    paid = LessonPageFactory(parent=course, title="Paid", body=[("paragraph", "<p>Enrolled only</p>")])

    listing = client.get("/api/lessons/").json()
    assert [item["title"] for item in listing["items"]] == ["Preview", "Paid"]
    assert set(listing["items"][0]) == LESSON_LISTING_FIELDS

    detail = client.get(f"/api/lessons/{preview.pk}/").json()
    assert set(detail) == LESSON_DETAIL_FIELDS
    assert detail["course"] == {"id": course.pk, "title": "API course"}
    assert detail["body"][0]["type"] == "paragraph"
    assert "Free text" in detail["body"][0]["value"]

    hidden = client.get(f"/api/lessons/{paid.pk}/").json()
    assert hidden["body"] is None
    assert "Enrolled only" not in str(hidden)


def test_api_lists_only_published_public_pages(client, catalogue):
    visible = hide_in_three_ways(catalogue)
    courses = client.get("/api/courses/").json()
    assert [item["title"] for item in courses["items"]] == [visible.title]
    lessons = client.get("/api/lessons/").json()
    assert lessons["items"] == []
    hidden = catalogue.get_children().exclude(pk=visible.pk)
    for page in hidden:
        assert client.get(f"/api/courses/{page.pk}/").status_code == 404


def test_api_search_finds_only_published_public_pages(client, catalogue):
    hide_in_three_ways(catalogue)
    titles = [item["title"] for item in client.get("/api/courses/", {"search": "secretword"}).json()["items"]]
    assert titles == ["Visible secretword course"]
    assert client.get("/api/lessons/", {"search": "secretword"}).json()["items"] == []


def test_the_courses_endpoint_cannot_be_widened_to_other_page_types(client, course):
    LessonPageFactory(parent=course)
    data = client.get("/api/courses/", {"type": "lessons.LessonPage"})
    assert data.status_code == 200
    assert {item["meta"]["type"] for item in data.json()["items"]} == {"courses.CoursePage"}


def test_api_rejects_unknown_fields_with_a_clear_error(client, course):
    response = client.get("/api/courses/", {"fields": "password"})
    assert response.status_code == 400
    assert "password" in response.json()["message"]
