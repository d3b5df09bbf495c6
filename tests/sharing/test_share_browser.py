"""Chromium, with no account, plays a shared draft's video through hls.js and sees its quiz."""

import pytest

from sharing.services import create_link
from tests.media_fixtures import play_muted, transcode_here, upload
from tests.page_fixtures import lessons_of, quiz_value

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_an_anonymous_reviewer_plays_the_shared_drafts_video_and_reads_its_quiz(
    page, live_server, clips, course, editor, artifacts_dir
):
    media = transcode_here(upload(clips / "sd.mp4", title="Draft lecture", enqueue=False))
    lesson = lessons_of(course)[1].specific  # enrollment-gated; the video is in its draft only
    lesson.body = [("video", {"video": media, "caption": "", "transcript": ""}), ("quiz", quiz_value())]
    lesson.save_revision()
    _, token = create_link(lesson, editor)

    refused = []
    page.on(
        "response", lambda r: refused.append(r.url) if "/media-files/" in r.url and r.status >= 400 else None
    )
    page.goto(f"{live_server.url}/share/{token}/")
    video = f'video[data-media-id="{media.pk}"]'
    assert play_muted(page, video) == "hls.js"
    # The draft's quiz shows, untried, for the sample student the reviewer reads as.
    assert page.get_by_role("heading", name="Check your understanding").is_visible()
    assert page.get_by_text("Which page type holds lessons?").is_visible()
    page.screenshot(path=str(artifacts_dir / "share-draft-playback.png"))
    assert page.evaluate(f"document.querySelector('{video}').error") is None
    assert refused == []
