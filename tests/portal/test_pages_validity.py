"""Error pages, the favicon, <time> values and the API's absolute URLs."""

import pytest
from django.test import Client, override_settings


def test_the_404_page_is_styled_and_says_what_happened(client, home):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Page not found</h1>" in html and 'class="site-header"' in html
    assert 'href="/">Go to the home page</a>' in html


def test_the_500_page_renders_without_a_database_or_request():
    """No db fixture: pytest-django refuses any database access, so rendering proves it needs none."""
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "<h1>Something went wrong</h1>" in html and "ringlet" in html.lower()


@pytest.mark.django_db
def test_a_server_error_answers_the_styled_500_page(settings):
    from django.urls import path

    def boom(request):
        raise RuntimeError("broken on purpose")

    urls = type("urls", (), {"urlpatterns": [path("boom/", boom)]})
    with override_settings(ROOT_URLCONF=urls, DEBUG=False):
        response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_favicon_and_touch_icons_are_served(client, home):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response.url.endswith("portal/favicon.ico")
    html = client.get("/").content.decode()
    assert 'rel="icon"' in html and 'rel="apple-touch-icon"' in html


def test_time_datetime_values_have_whole_seconds(enrolled, client, course):
    client.force_login(enrolled)
    html = client.get("/dashboard/").content.decode()
    import re

    values = re.findall(r'<time datetime="([^"]+)"', html)
    assert values
    for value in values:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", value), value


def test_api_urls_use_the_request_host_or_the_configured_base(client, course, settings):
    settings.ALLOWED_HOSTS = ["learn.example.com", "testserver"]
    item = client.get("/api/courses/", HTTP_HOST="learn.example.com").json()["items"][0]
    assert item["meta"]["html_url"].startswith("http://learn.example.com/")
    assert item["meta"]["detail_url"] == f"http://learn.example.com/api/courses/{course.pk}/"
    settings.WAGTAILAPI_BASE_URL = "https://cdn.example.org"
    item = client.get("/api/lessons/", HTTP_HOST="learn.example.com").json()["items"][0]
    assert item["meta"]["detail_url"].startswith("https://cdn.example.org/api/lessons/")
    assert item["meta"]["html_url"].startswith("https://cdn.example.org/")


def test_course_covers_are_responsive_webp_and_the_first_row_is_not_lazy(client, catalogue):
    import re

    import wagtail_factories

    from tests.factories import CoursePageFactory

    cover = wagtail_factories.ImageFactory(file__width=1280, file__height=720)
    for number in range(5):
        CoursePageFactory(parent=catalogue, title=f"Course {number}", cover_image=cover)
    html = client.get(catalogue.url).content.decode()
    images = re.findall(r"<img [^>]*course-card__image[^>]*>", html)
    assert len(images) == 5
    assert all("srcset=" in image and ".webp 320w" in image and ".webp 640w" in image for image in images)
    assert ['loading="lazy"' in image for image in images] == [False, False, False, True, True]
