"""hls.js in Chromium finds both audio languages in Ringlet's served master playlist (signed
URLs and all) and switches between them while playing (issue 23). The player's own language
menu is the player's to test; this checks what the pipeline hands it."""

import pytest

from tests.media_fixtures import open_admin_preview, transcode_here, upload
from tests.media_library.test_audio_languages_and_chapters import language_clips  # noqa: F401 (fixture)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_hls_js_offers_both_languages_and_switches_while_playing(
    page,
    live_server,
    client,
    django_user_model,
    language_clips,  # noqa: F811
    artifacts_dir,
):
    media = transcode_here(upload(language_clips / "two-languages.mp4", title="Bilingual", enqueue=False))
    video = open_admin_preview(page, live_server, client, django_user_model, media)
    page.evaluate(
        f"() => {{ const v = document.querySelector('{video}'); v.muted = true; return v.play(); }}"
    )
    page.wait_for_function(f"document.querySelector('{video}').currentTime > 0.5", timeout=15_000)

    hls = f"document.querySelector('{video}').ringletHls"
    tracks = page.evaluate(f"() => {hls}.audioTracks.map(t => [t.lang, t.name, t.default])")
    assert tracks == [["en", "English", False], ["fr", "French", True]]
    assert page.evaluate(f"() => {hls}.audioTrack") == 1

    page.evaluate(f"() => {{ {hls}.audioTrack = 0; }}")
    page.wait_for_function(f"{hls}.audioTrack === 0", timeout=10_000)
    before = page.evaluate(f"() => document.querySelector('{video}').currentTime")
    page.wait_for_function(
        f"() => {{ const v = document.querySelector('{video}'); "
        f"return v.currentTime > {before} + 0.3 || v.ended; }}",
        timeout=15_000,
    )
    page.screenshot(path=str(artifacts_dir / "media-audio-languages.png"))
    assert page.evaluate(f"() => document.querySelector('{video}').error") is None
