"""Chromium plays a transcoded video through hls.js, with its captions, in the admin preview."""

import pytest

from media_library.models import Media
from media_library.tasks import encode, record_probe
from tests.media_fixtures import add_caption, upload

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_the_hls_video_plays_in_chromium_with_its_captions(
    page, live_server, client, django_user_model, clips, artifacts_dir
):
    media = upload(clips / "hd.mp4", title="Adaptive lecture", enqueue=False)
    record_probe(media)
    assert encode(media.pk, media.file.name) == "ready"
    add_caption(media, "Welcome to the course")
    admin = django_user_model.objects.create_superuser("editor", "editor@example.com", "pw")
    client.force_login(admin)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )

    page.goto(f"{live_server.url}/admin/media/edit/{media.pk}/")
    video = ".media-preview video"
    page.wait_for_function(
        f"document.querySelector('{video}') && document.querySelector('{video}').dataset.engine === 'hls.js'",
        timeout=10_000,
    )
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
    Media.objects.filter(pk=media.pk).update(status=Media.Status.PROCESSING, progress=10)
    admin = django_user_model.objects.create_superuser("editor", "editor@example.com", "pw")
    client.force_login(admin)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/admin/media/")
    fill = ".media-status__fill"
    assert page.locator(fill).evaluate("e => e.style.width") == "10%"

    # What the worker's progress updates do, seen by the page's polling (about once a second).
    Media.objects.filter(pk=media.pk).update(progress=55)
    page.wait_for_function(f"document.querySelector('{fill}').style.width === '55%'", timeout=10_000)
    assert page.locator(".media-status__label").inner_text() == "Processing (55%)"

    Media.objects.filter(pk=media.pk).update(status=Media.Status.READY, progress=100)
    page.wait_for_function(
        "document.querySelector('.media-status__label').textContent === 'Ready'", timeout=10_000
    )
    assert page.locator(".media-status__bar").is_hidden()
