"""Course covers and posters (Wagtail images) are served from the filesystem without DEBUG;
nothing else under MEDIA_ROOT is."""

import pytest
import wagtail_factories
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tests.processes import child_env, run_python

pytestmark = pytest.mark.django_db


@pytest.fixture
def image(db):
    return wagtail_factories.ImageFactory()


def test_an_original_image_and_its_rendition_are_served_without_debug(client, image):
    assert not settings.DEBUG
    rendition = image.get_rendition("fill-80x45")
    for url in (image.file.url, rendition.url):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("image/")
        assert response["Cache-Control"] == "public, max-age=86400"
        assert "sandbox" in response["Content-Security-Policy"]
        assert b"".join(response.streaming_content)[:4] in (
            b"\x89PNG",
            b"GIF8",
            b"\xff\xd8\xff\xe0",
            b"\xff\xd8\xff\xe1",
        )


@pytest.mark.parametrize(
    "name",
    ["media/lecture.mp4", "documents/notes.pdf", "captions/1/en.vtt", "original_images/sneaky.svg"],
)
def test_nothing_but_raster_wagtail_images_is_served_from_media(client, name):
    default_storage.save(name, ContentFile(b"private bytes"))
    try:
        assert client.get(f"{settings.MEDIA_URL}{name}").status_code == 404
    finally:
        default_storage.delete(name)


def test_paths_leaving_the_image_folders_are_refused(client, image):
    for path in ("original_images/../media/x.jpg", "images/sub/x.jpg", "original_images/%2e%2e/x.png"):
        assert client.get(f"{settings.MEDIA_URL}{path}").status_code == 404, path


def test_the_image_route_exists_under_production_settings():
    code = (
        "import django; django.setup()\n"
        "from django.urls import resolve\n"
        "print(resolve('/media/original_images/cover.jpg').func.__name__)\n"
    )
    env = child_env(
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="learn.example.com",
    )
    result = run_python(code, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "serve_image"
