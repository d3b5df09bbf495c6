"""The admin's add form uploads to the bucket in parts and resumes after a dropped connection
(issue 23): Chromium, a live server, moto's S3 server. The connection drops on the part
holding the file's middle; saving again sends only the parts the bucket lacks."""

import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.storage import default_storage

from media_library.models import Media
from tests.media_library.test_resumable_upload import lecture  # noqa: F401 (fixture)
from tests.media_library.test_s3 import s3, s3_endpoint  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
MIB = 1024 * 1024


def test_the_add_form_resumes_an_upload_cut_off_at_half(
    page,
    live_server,
    client,
    s3,  # noqa: F811
    browser_uploads_to_s3,
    lecture,  # noqa: F811
    tmp_path,
    django_user_model,
    root_collection,
):
    path = tmp_path / "Lecture 2.mp4"
    path.write_bytes(lecture)
    count = -(-len(lecture) // (5 * MIB))
    middle_part = len(lecture) // 2 // (5 * MIB) + 1
    admin = django_user_model.objects.create_superuser("editor", "editor@example.com", "pw")
    client.force_login(admin)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    sent = []
    logs = []
    page.on("console", lambda m: logs.append(m.text))
    page.on("requestfailed", lambda r: logs.append(("failed", r.method, r.url[:80], r.failure)))

    def to_bucket(route):
        number = int(parse_qs(urlsplit(route.request.url).query)["partNumber"][0])
        if route.request.method == "PUT" and number == middle_part and number not in sent:
            sent.append(number)
            route.abort("connectionreset")  # the connection drops on the middle part
            return
        if route.request.method == "PUT":
            sent.append(number)
        route.continue_()

    page.route(lambda url: url.startswith(s3) and "partNumber=" in url, to_bucket)
    page.goto(f"{live_server.url}/admin/media/video/add/")
    page.fill("input[name=title]", "Lecture 2")
    page.set_input_files("input[name=file]", str(path))
    save = page.locator("input[name=file]").locator("xpath=ancestor::form").locator("button[type=submit]")
    save.click()

    alert = page.locator(".media-upload-error")
    try:
        alert.wait_for(timeout=30_000)
    except Exception:
        state = page.evaluate(
            "() => [location.href, (document.querySelector('input[name=file]') || {}).outerHTML, "
            "[...document.querySelectorAll('.error-message, .help-critical, .w-field__errors')]"
            ".map(e => e.textContent.trim()), document.querySelector('.media-upload-progress') "
            "&& document.querySelector('.media-upload-progress').textContent]"
        )
        raise AssertionError((sent, logs, state)) from None
    assert "Save again with the same file to resume" in alert.inner_text()
    assert sent == list(range(1, middle_part + 1))  # parts before the middle, then the dropped one
    assert not Media.objects.exists()

    save.click()  # the same file is still chosen
    page.wait_for_url("**/admin/media/edit/*/", timeout=60_000)

    # Only the missing parts were sent again: the middle one and those after it.
    assert sent == [*range(1, middle_part + 1), *range(middle_part, count + 1)]
    media = Media.objects.get()
    assert (media.title, media.type) == ("Lecture 2", "video")
    with default_storage.open(media.file.name, "rb") as stored:
        assert hashlib.sha256(stored.read()).digest() == hashlib.sha256(lecture).digest()
    assert page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('ringlet-upload:'))") == []
