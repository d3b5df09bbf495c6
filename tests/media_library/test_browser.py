"""Chromium plays a transcoded video through hls.js, with its captions, in the admin preview."""

import pytest
from django.urls import reverse
from django.utils import timezone

from media_library.models import Media
from tests.media_fixtures import add_caption, open_admin_preview, transcode_here, upload

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_the_hls_video_plays_in_chromium_with_its_captions(
    page, live_server, client, django_user_model, clips, artifacts_dir
):
    media = transcode_here(upload(clips / "hd.mp4", title="Adaptive lecture", enqueue=False))
    add_caption(media, "Welcome to the course")
    video = open_admin_preview(page, live_server, client, django_user_model, media)
    page.evaluate(
        f"() => {{ const v = document.querySelector('{video}'); v.muted = true; return v.play(); }}"
    )
    page.wait_for_function(f"document.querySelector('{video}').currentTime > 1", timeout=15_000)

    state = page.evaluate(
        f"""() => {{
            const v = document.querySelector('{video}');
            return {{
                error: v.error && v.error.code,
                width: v.videoWidth,
                levels: v.ringletHls.levels.map(l => l.height),
                tracks: Array.from(v.textTracks).map(t => [t.kind, t.language, t.label]),
            }};
        }}"""
    )
    page.screenshot(path=str(artifacts_dir / "media-hls-playback.png"))
    assert state["error"] is None
    assert state["width"] in (640, 1280)
    assert sorted(state["levels"]) == [360, 720]
    assert state["tracks"] == [["captions", "en", "English"]]


def test_the_admin_listing_moves_the_progress_bar_live_until_the_item_is_ready(
    page, live_server, client, django_user_model, clips
):
    media = upload(clips / "sd.mp4", title="Encoding lecture", enqueue=False)
    # A worker is on it (fresh heartbeat): only then does the admin show progress.
    Media.objects.filter(pk=media.pk).update(
        status=Media.Status.PROCESSING, progress=10, heartbeat_at=timezone.now()
    )
    admin = django_user_model.objects.create_superuser("editor", "editor@example.com", "pw")
    client.force_login(admin)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/admin/media/")
    fill = ".media-status__fill"
    assert page.locator(fill).evaluate("e => e.style.width") == "10%"

    # What the worker's progress updates do, seen by the page's polling (about once a second).
    Media.objects.filter(pk=media.pk).update(progress=55, heartbeat_at=timezone.now())
    page.wait_for_function(f"document.querySelector('{fill}').style.width === '55%'", timeout=10_000)
    assert page.locator(".media-status__label").inner_text() == "Processing (55%)"

    Media.objects.filter(pk=media.pk).update(status=Media.Status.READY, progress=100)
    page.wait_for_function(
        "document.querySelector('.media-status__label').textContent === 'Ready'", timeout=10_000
    )
    assert page.locator(".media-status__bar").is_hidden()


def log_in(page, live_server, client, django_user_model):
    admin = django_user_model.objects.create_superuser("editor", "editor@example.com", "pw")
    client.force_login(admin)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_the_upload_form_refuses_an_oversized_file_in_the_browser_before_sending_it(
    page, live_server, client, django_user_model, settings, clips
):
    settings.MEDIA_MAX_UPLOAD_MB = 1
    log_in(page, live_server, client, django_user_model)
    add_url = reverse("wagtailmedia:add", args=("video",))
    posts = []
    page.on(
        "request",
        lambda request: request.method == "POST" and posts.append(len(request.post_data_buffer or b"")),
    )
    page.goto(f"{live_server.url}{add_url}")
    page.fill("input[name=title]", "Too big")

    big = (clips / "sd.mp4").read_bytes().ljust(1536 * 1024, b"\0")
    page.set_input_files(
        "input[name=file]", files=[{"name": "big.mp4", "mimeType": "video/mp4", "buffer": big}]
    )

    error = page.locator(".media-upload-error")
    error.wait_for(timeout=5_000)
    assert error.inner_text() == (
        "This file is too large: 1.5 MiB; the limit is 1 MiB. "
        "Export a smaller file (a lower resolution or bitrate), or split it into parts."
    )
    assert page.locator("input[name=file]").evaluate("input => input.files.length") == 0
    # Submitting now sends the form without the file (the server asks for one): the
    # 1.5 MiB never leaves the browser.
    page.locator("form[enctype='multipart/form-data'] button[type=submit]").first.click()
    page.wait_for_load_state()
    assert all(size < 100_000 for size in posts), posts
    assert not Media.objects.exists()


def test_the_upload_form_shows_a_progress_bar_while_the_file_is_sent(
    page, live_server, client, django_user_model, clips
):
    log_in(page, live_server, client, django_user_model)
    add_url = reverse("wagtailmedia:add", args=("video",))
    held = []
    # Hold the request at the network layer, so the bar can be looked at before the answer.
    page.route(
        f"**{add_url}",
        lambda route: held.append(route) if route.request.method == "POST" else route.continue_(),
    )
    page.goto(f"{live_server.url}{add_url}")
    page.fill("input[name=title]", "Uploaded with a bar")
    page.set_input_files("input[name=file]", str(clips / "sd.mp4"))

    page.locator("form[enctype='multipart/form-data'] button[type=submit]").first.click()
    bar = page.locator(".media-upload-progress[role=progressbar]")
    bar.wait_for(timeout=5_000)
    assert held and held[0].request.resource_type == "xhr"
    assert "Upload" in bar.inner_text()
    held[0].continue_()

    page.wait_for_url(f"{live_server.url}/admin/media/", timeout=15_000)
    assert Media.objects.get().title == "Uploaded with a bar"


def test_a_refused_upload_sent_with_the_progress_bar_shows_the_servers_one_error(
    page, live_server, client, django_user_model, clips
):
    log_in(page, live_server, client, django_user_model)
    page.goto(f"{live_server.url}{reverse('wagtailmedia:add', args=('video',))}")
    page.fill("input[name=title]", "Not a video")
    page.set_input_files("input[name=file]", str(clips / "document.pdf"))

    page.locator("form[enctype='multipart/form-data'] button[type=submit]").first.click()

    page.wait_for_selector("text=This file is not a video", timeout=15_000)
    body = page.locator("main, body").first.inner_text()
    assert body.count("This file is not a video: its content is application/pdf.") == 1
    assert "is not allowed" not in body  # no second, wrong error from wagtailmedia
    assert page.locator("input[name=title]").input_value() == "Not a video"
    assert not Media.objects.exists()


def test_the_upload_forms_own_words_are_the_editors_language_in_the_browser(
    page, live_server, client, django_user_model, settings, clips, french
):
    settings.MEDIA_MAX_UPLOAD_MB = 1
    log_in(page, live_server, client, django_user_model)
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "fr", "url": live_server.url}])
    page.goto(f"{live_server.url}{reverse('wagtailmedia:add', args=('video',))}")

    big = (clips / "sd.mp4").read_bytes().ljust(1536 * 1024, b"\0")
    page.set_input_files(
        "input[name=file]", files=[{"name": "big.mp4", "mimeType": "video/mp4", "buffer": big}]
    )

    error = page.locator(".media-upload-error")
    error.wait_for(timeout=5_000)
    assert error.inner_text().startswith(
        "Ce fichier est trop volumineux\u00a0: 1.5 MiB\u00a0; la limite est de 1 MiB."
    )
