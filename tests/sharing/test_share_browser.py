"""Chromium, with no account, plays a shared draft's video through hls.js."""

import pytest

from sharing.services import create_link
from tests.media_fixtures import transcode_here, upload
from tests.page_fixtures import lessons_of

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_an_anonymous_reviewer_plays_the_shared_drafts_video(
    page, live_server, clips, course, editor, artifacts_dir
):
    media = transcode_here(upload(clips / "sd.mp4", title="Draft lecture", enqueue=False))
    lesson = lessons_of(course)[1].specific  # enrollment-gated; the video is in its draft only
    lesson.body = [("video", {"video": media, "caption": "", "transcript": ""})]
    lesson.save_revision()
    _, token = create_link(lesson, editor)

    refused = []
    page.on(
        "response", lambda r: refused.append(r.url) if "/media-files/" in r.url and r.status >= 400 else None
    )
    page.goto(f"{live_server.url}/share/{token}/")
    video = f'video[data-media-id="{media.pk}"]'
    page.wait_for_function(
        f"document.querySelector('{video}') && document.querySelector('{video}').dataset.engine === 'hls.js'",
        timeout=10_000,
    )
    page.evaluate(
        f"() => {{ const v = document.querySelector('{video}'); v.muted = true; return v.play(); }}"
    )
    page.wait_for_function(f"document.querySelector('{video}').currentTime > 1", timeout=15_000)
    page.screenshot(path=str(artifacts_dir / "share-draft-playback.png"))
    assert page.evaluate(f"document.querySelector('{video}').error") is None
    assert refused == []
