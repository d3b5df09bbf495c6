"""The home page from blocks editors change: a hero with the catalogue, courses, topics, continue learning."""

import pytest

from demo.home import ensure_home_blocks
from tests.factories import CategoryFactory, CoursePageFactory, LessonPageFactory
from tests.page_fixtures import lessons_of


@pytest.fixture
def home_with_blocks(home, catalogue):
    return ensure_home_blocks(home, catalogue)


def featured_titles(html):
    import re

    section = html.split('class="course-grid"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'class="course-card__title"><a href="[^"]+">([^<]+)</a>', section)


def test_the_home_page_offers_the_catalogue_newest_courses_and_topics(client, home_with_blocks, catalogue):
    web = CategoryFactory(name="Web", slug="web", description="Sites and apps.")
    CategoryFactory(name="Empty topic", slug="empty")
    for title in ("Oldest", "Middle", "Newer", "Newest"):
        CoursePageFactory(parent=catalogue, title=title, category=web)
    html = client.get("/").content.decode()
    assert f'<a class="button button--large" href="{catalogue.url}">Browse the courses</a>' in html
    assert featured_titles(html) == ["Newest", "Newer", "Middle"]
    assert f'href="{catalogue.url}?category=web">Web</a>' in html
    assert "Empty topic" not in html  # no published course in it
    assert "Continue learning" not in html  # only for a logged-in student


def test_editors_choose_the_featured_courses_and_their_order(client, home_with_blocks, catalogue):
    first = CoursePageFactory(parent=catalogue, title="Picked first")
    second = CoursePageFactory(parent=catalogue, title="Picked second")
    CoursePageFactory(parent=catalogue, title="Not picked")
    draft = CoursePageFactory(parent=catalogue, title="A draft", live=False)
    body = home_with_blocks.body
    for index, block in enumerate(body):
        if block.block_type == "featured_courses":
            value = dict(block.value)
            value["courses"] = [second, draft, first]
            body[index] = ("featured_courses", value)
    home_with_blocks.body = body
    home_with_blocks.save_revision().publish()
    assert featured_titles(client.get("/").content.decode()) == ["Picked second", "Picked first"]


def test_a_logged_in_student_sees_continue_learning_with_the_next_lesson(
    client, home_with_blocks, enrolled, course
):
    client.force_login(enrolled)
    html = client.get("/").content.decode()
    assert "Continue learning" in html
    first = lessons_of(course)[0]
    assert f"Continue: “{first.title}”" in html


def test_the_home_title_is_not_duplicated_and_has_a_description(client, home_with_blocks):
    html = client.get("/").content.decode()
    assert "<title>Ringlet: open video courses you can start today</title>" in html
    assert "Ringlet · Ringlet" not in html
    assert '<meta name="description" content="Short video courses' in html


def test_pages_take_their_meta_description_from_search_description_or_summary(client, course):
    html = client.get(course.url).content.decode()
    assert f'<meta name="description" content="{course.summary}">' in html
    lesson = LessonPageFactory(parent=course, title="Free one", summary="Lesson summary.", free_preview=True)
    assert '<meta name="description" content="Lesson summary.">' in client.get(lesson.url).content.decode()


def test_an_editor_changed_home_page_is_left_alone_by_the_demo(home, catalogue):
    home.body = [
        ("heading", {"text": "Our own", "size": "h2"}),
        ("hero", {"text": "Mine", "button_text": "Go", "button_page": catalogue}),
    ]
    home.save_revision().publish()
    ensure_home_blocks(home, catalogue)
    home.refresh_from_db()
    assert [block.block_type for block in home.body] == ["heading", "hero"]
