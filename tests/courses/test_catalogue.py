"""The catalogue: cards, filters, full-text search, pagination and what stays hidden."""

import pytest
from wagtail.models import PageViewRestriction

from courses.models import CoursePage
from tests.factories import CategoryFactory, CoursePageFactory, LessonPageFactory


def course_titles(response):
    return [course.title for course in response.context["courses"]]


@pytest.fixture
def three_courses(catalogue):
    web = CategoryFactory(name="Web", slug="web")
    data = CategoryFactory(name="Data", slug="data")
    django = CoursePageFactory(parent=catalogue, title="Django in depth", category=web, level="advanced")
    LessonPageFactory(parent=django, title="Middleware", estimated_minutes=25)
    LessonPageFactory(
        parent=django,
        title="Signals",
        estimated_minutes=20,
        free_preview=True,
        body=[("paragraph", "<p>Receivers and photosynthesis are unrelated.</p>")],
    )
    html = CoursePageFactory(
        parent=catalogue, title="HTML for everyone", category=web, level="beginner", summary="Markup basics."
    )
    pandas = CoursePageFactory(parent=catalogue, title="Pandas", category=data, level="beginner")
    return {"django": django, "html": html, "pandas": pandas}


def test_catalogue_cards_show_lesson_count_and_total_time(client, catalogue, three_courses):
    response = client.get(catalogue.url)
    assert response.status_code == 200
    assert course_titles(response) == ["Django in depth", "HTML for everyone", "Pandas"]
    card = response.context["courses"][0]
    assert (card.lesson_count, card.total_minutes) == (2, 45)
    content = response.content.decode()
    assert "<dt>Lessons</dt><dd>2</dd>" in content
    assert "<dt>Duration</dt><dd>45 min</dd>" in content
    assert 'class="course-card__image"' in content


def test_catalogue_filters_by_category_and_level(client, catalogue, three_courses):
    assert course_titles(client.get(catalogue.url, {"category": "web"})) == [
        "Django in depth",
        "HTML for everyone",
    ]
    assert course_titles(client.get(catalogue.url, {"level": "beginner"})) == ["HTML for everyone", "Pandas"]
    assert course_titles(client.get(catalogue.url, {"category": "web", "level": "beginner"})) == [
        "HTML for everyone"
    ]


@pytest.mark.parametrize("params", [{"category": "no-such-thing"}, {"level": "expert"}])
def test_unknown_filter_values_give_an_empty_catalogue_not_an_error(client, catalogue, three_courses, params):
    response = client.get(catalogue.url, params)
    assert response.status_code == 200
    assert course_titles(response) == []
    assert "No course matches" in response.content.decode()


def test_search_finds_courses_by_their_own_text_and_by_their_lessons(client, catalogue, three_courses):
    assert course_titles(client.get(catalogue.url, {"q": "markup"})) == ["HTML for everyone"]
    # "photosynthesis" only appears in a free-preview lesson body of the Django course.
    assert course_titles(client.get(catalogue.url, {"q": "photosynthesis"})) == ["Django in depth"]
    assert course_titles(client.get(catalogue.url, {"q": "middleware"})) == ["Django in depth"]
    assert course_titles(client.get(catalogue.url, {"q": "zanzibar"})) == []


def test_search_combines_with_filters(client, catalogue, three_courses):
    assert course_titles(client.get(catalogue.url, {"q": "middleware", "level": "beginner"})) == []
    assert course_titles(client.get(catalogue.url, {"q": "middleware", "category": "web"})) == [
        "Django in depth"
    ]


def test_catalogue_paginates_and_keeps_filters_in_page_links(client, catalogue):
    catalogue.courses_per_page = 12
    catalogue.save()
    category = CategoryFactory(slug="many")
    for n in range(30):
        CoursePageFactory(parent=catalogue, title=f"Course {n:02d}", category=category, cover_image=None)
    first = client.get(catalogue.url, {"category": "many"})
    assert len(course_titles(first)) == 12
    assert first.context["paginator"].num_pages == 3
    assert 'href="?category=many&amp;page=2"' in first.content.decode()
    last = client.get(catalogue.url, {"category": "many", "page": 3})
    assert course_titles(last) == [f"Course {n:02d}" for n in range(24, 30)]
    # Out-of-range and junk page numbers fall back to a real page.
    assert course_titles(client.get(catalogue.url, {"page": 99})) == course_titles(last)
    assert len(course_titles(client.get(catalogue.url, {"page": "abc"}))) == 12


def hide_in_three_ways(catalogue):
    """A draft, an unpublished and a private course, each with a lesson mentioning 'secretword'."""
    draft = CoursePageFactory(parent=catalogue, title="Draft secretword course", live=False)
    unpublished = CoursePageFactory(parent=catalogue, title="Unpublished secretword course")
    private = CoursePageFactory(parent=catalogue, title="Private secretword course")
    for course in (draft, unpublished, private):
        LessonPageFactory(parent=course, title=f"{course.title} lesson secretword")
    unpublished.unpublish()
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    visible = CoursePageFactory(parent=catalogue, title="Visible secretword course")
    return visible


def test_drafts_unpublished_and_private_courses_are_absent_from_catalogue_and_search(client, catalogue):
    hide_in_three_ways(catalogue)
    assert course_titles(client.get(catalogue.url)) == ["Visible secretword course"]
    assert course_titles(client.get(catalogue.url, {"q": "secretword"})) == ["Visible secretword course"]


def test_draft_lessons_neither_count_nor_match_searches(client, catalogue):
    course = CoursePageFactory(parent=catalogue, title="Counting")
    LessonPageFactory(parent=course, estimated_minutes=15)
    LessonPageFactory(parent=course, title="Unfinished quasar lesson", estimated_minutes=30, live=False)
    card = client.get(catalogue.url).context["courses"][0]
    assert (card.lesson_count, card.total_minutes) == (1, 15)
    assert course_titles(client.get(catalogue.url, {"q": "quasar"})) == []


def test_course_page_shows_outline_with_times_instructors_and_prerequisites(client, build_course):
    from tests.factories import InstructorFactory

    basics = build_course(title="Basics", modules=1, per_module=1)
    course = build_course(title="Advanced", modules=2, per_module=2, minutes=7, estimated_hours="2.5")
    course.instructors.add(InstructorFactory(name="Grace Hopper"))
    course.prerequisites.add(basics)
    course.tags.add("django")
    course.save()
    response = client.get(course.url)
    content = response.content.decode()
    assert response.status_code == 200
    assert "Advanced module 1" in content and "Advanced module 2" in content
    assert content.count('class="outline__lesson"') == 4
    assert "<dt>Lessons</dt><dd>4</dd>" in content and "<dt>Duration</dt><dd>28 min</dd>" in content
    assert "Grace Hopper" in content
    assert f'href="{basics.url}"' in content
    # Outsiders get one primary action, Enroll; "Start with" is for those who read every lesson.
    assert "Start with" not in content
    assert "Enroll in this course" in content
    assert CoursePage.objects.get(pk=course.pk).tag_names == ["django"]


def test_search_uses_postgresql_full_text_search_with_stemming(client, catalogue, three_courses, settings):
    from modelsearch.backends.database.postgres.postgres import PostgresSearchBackend
    from wagtail.search.backends import get_search_backend

    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    # PostgreSQL's backend, choosing the configuration by language (pagetree/search_backend.py).
    assert isinstance(get_search_backend(), PostgresSearchBackend)
    # English stemming: "receiving" finds the lesson that mentions "Receivers".
    assert course_titles(client.get(catalogue.url, {"q": "receiving"})) == ["Django in depth"]


def test_every_page_links_to_the_catalogue_in_the_main_navigation(client, catalogue):
    home_html = client.get("/").content.decode()
    assert f'<a href="{catalogue.url}">Courses</a>' in home_html
    catalogue_html = client.get(catalogue.url).content.decode()
    assert f'<a href="{catalogue.url}" aria-current="page">Courses</a>' in catalogue_html
