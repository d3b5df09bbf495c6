"""Routes, the Site, view restrictions and outlines from the cache: changes show at once."""

from wagtail.models import PageViewRestriction

from tests.factories import CategoryFactory, CourseIndexPageFactory, LessonPageFactory


def test_a_view_restriction_added_after_caching_still_applies(client, course):
    assert client.get(course.url).status_code == 200
    PageViewRestriction.objects.create(page=course, restriction_type=PageViewRestriction.LOGIN)
    response = client.get(course.url)
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_moved_course_answers_at_its_new_url_and_the_old_one_redirects(client, course, catalogue, home):
    old_url = course.url
    assert client.get(old_url).status_code == 200

    other = CourseIndexPageFactory(parent=home, title="Other courses", slug="other")
    course.move(other, pos="last-child")
    course.refresh_from_db()
    assert client.get(course.url).status_code == 200
    # Not the cached route: Wagtail's redirect for the old URL (it only answers 404s).
    response = client.get(old_url)
    assert response.status_code == 301 and response["Location"] == course.url


def test_an_unpublished_course_is_gone_from_its_cached_route(client, course):
    assert client.get(course.url).status_code == 200
    course.unpublish()
    assert client.get(course.url).status_code == 404


def test_a_deleted_lesson_is_gone_from_its_cached_route_and_outline(client, course):
    lesson = LessonPageFactory(parent=course, title="Short-lived", free_preview=True)
    assert client.get(lesson.url).status_code == 200
    assert "Short-lived" in client.get(course.url).content.decode()
    url = lesson.url
    lesson.delete()
    assert client.get(url).status_code == 404
    assert "Short-lived" not in client.get(course.url).content.decode()


def test_a_renamed_category_shows_on_the_cached_course_page(client, course):
    category = CategoryFactory(name="Gardening", slug="gardening")
    course.category = category
    course.save_revision().publish()
    assert "Gardening" in client.get(course.url).content.decode()
    category.name = "Horticulture"
    category.save()
    assert "Horticulture" in client.get(course.url).content.decode()
