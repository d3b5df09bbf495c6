"""The media chooser's upload tab sends the file to the bucket in parts too (issue 23), and the
new item is chosen as the chooser's own upload would choose it: Chromium, a live server, moto's
S3 server, the chooser opened from a lesson's edit view."""

import hashlib

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from playwright.sync_api import expect

from media_library.models import Media
from tests.media_library.test_resumable_upload import lecture  # noqa: F401 (fixture)
from tests.media_library.test_s3 import s3, s3_endpoint  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
MIB = 1024 * 1024


def test_the_choosers_upload_tab_uploads_in_parts_and_chooses_the_new_item(
    page,
    live_server,
    client,
    s3,  # noqa: F811
    browser_uploads_to_s3,
    lecture,  # noqa: F811
    tmp_path,
    django_user_model,
    root_collection,
    course,
):
    from lessons.models import LessonPage

    path = tmp_path / "Lecture 3.mp4"
    path.write_bytes(lecture)
    lesson = LessonPage.objects.descendant_of(course).first()
    admin = django_user_model.objects.create_superuser("editor", "editor@example.com", "pw")
    client.force_login(admin)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    to_bucket, to_chooser_upload = [], []
    page.on("request", lambda r: to_bucket.append(r.method) if r.url.startswith(s3) else None)
    page.on("request", lambda r: to_chooser_upload.append(r.url) if "/chooser/upload/" in r.url else None)

    page.goto(f"{live_server.url}/admin/pages/{lesson.pk}/edit/")
    page.wait_for_function("() => window.ModalWorkflow && window.MEDIA_CHOOSER_MODAL_ONLOAD_HANDLERS")
    # The chooser as a media block's "Choose" button opens it.
    page.evaluate(
        """url => ModalWorkflow({url: url, onload: MEDIA_CHOOSER_MODAL_ONLOAD_HANDLERS,
            responses: {mediaChosen: data => { window.chosen = data; }}})""",
        reverse("wagtailmedia:chooser"),
    )
    page.get_by_role("tab", name="Upload Video").click()
    panel = page.locator("#tab-upload-video")
    panel.locator("input[name='media-chooser-upload-title']").fill("Lecture 3")
    panel.locator("input[name='media-chooser-upload-file']").set_input_files(str(path))
    panel.locator("button[type=submit], input[type=submit]").first.click()

    page.wait_for_function("() => window.chosen", timeout=60_000)
    chosen = page.evaluate("window.chosen")
    media = Media.objects.get()
    assert chosen["id"] == media.pk and chosen["title"] == "Lecture 3"
    assert (media.title, media.type) == ("Lecture 3", "video")
    # In parts, to the bucket; never the file through the chooser's own upload view.
    assert to_bucket.count("PUT") == -(-len(lecture) // (5 * MIB)) and to_chooser_upload == []
    with default_storage.open(media.file.name, "rb") as stored:
        assert hashlib.sha256(stored.read()).digest() == hashlib.sha256(lecture).digest()
    # The modal closes once the item is chosen (after its fade-out, hence a wait, not a look).
    expect(page.locator(".modal")).to_be_hidden()
