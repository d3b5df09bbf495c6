"""One duration per course, from its lessons (the editor's estimate only when they have none),
the same on the course page, the catalogue card and in the API."""

import re

import pytest

from tests.factories import CoursePageFactory, LessonPageFactory, ModulePageFactory


def shown_durations(client, course):
    page = client.get(course.url).content.decode()
    on_page = re.search(r"<dt>Duration</dt><dd>([^<]+)</dd>", page).group(1)
    catalogue = client.get(course.get_parent().url).content.decode()
    card = catalogue.split(f'id="course-{course.pk}-title"', 1)[1]
    on_card = re.search(r"<dt>Duration</dt><dd>([^<]+)</dd>", card).group(1)
    listing = client.get("/api/courses/").json()["items"]
    in_listing = next(item for item in listing if item["id"] == course.pk)["duration_minutes"]
    in_detail = client.get(f"/api/courses/{course.pk}/").json()["duration_minutes"]
    return on_page, on_card, in_listing, in_detail


@pytest.mark.parametrize(
    ("minutes", "estimated_hours", "expected_text", "expected_minutes"),
    [
        ((25, 20, 30), "3.5", "1 h 15 min", 75),  # lessons have times: the estimate is not used
        ((0, 0), "3.5", "3 h 30 min", 210),  # lessons have no times: the editor's estimate
        ((), "1.0", "1 h", 60),  # no lessons yet
    ],
)
def test_the_course_page_card_and_api_show_the_same_duration(
    client, catalogue, minutes, estimated_hours, expected_text, expected_minutes
):
    course = CoursePageFactory(parent=catalogue, title="Timed", estimated_hours=estimated_hours)
    for number, value in enumerate(minutes):
        LessonPageFactory(parent=course, title=f"Part {number}", estimated_minutes=value)
    assert shown_durations(client, course) == (
        expected_text,
        expected_text,
        expected_minutes,
        expected_minutes,
    )
    assert "Total study time" not in client.get(course.url).content.decode()


def test_lessons_under_an_unpublished_module_count_nowhere(client, catalogue):
    course = CoursePageFactory(parent=catalogue, title="Partly hidden")
    LessonPageFactory(parent=course, estimated_minutes=15)
    module = ModulePageFactory(parent=course, title="Later")
    LessonPageFactory(parent=module, estimated_minutes=40)
    module.unpublish()
    assert shown_durations(client, course) == ("15 min", "15 min", 15, 15)
