"""The admin: status and duration in the listing, status JSON, renditions, re-transcode and retry."""

import pytest
from django.urls import reverse
from django.utils import timezone

from media_library import editor_messages
from media_library.models import Media
from media_library.tasks import encode, record_probe
from tests.media_fixtures import upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(clips):
    media = upload(clips / "sd.mp4", title="Ready lecture", enqueue=False)
    record_probe(media)
    encode(media.pk, media.file.name)
    media.refresh_from_db()
    return media


@pytest.fixture
def processing(clips):
    media = upload(clips / "sd.mp4", title="Busy lecture", enqueue=False)
    # A worker is on it: its heartbeat is fresh.
    Media.objects.filter(pk=media.pk).update(
        status=Media.Status.PROCESSING, progress=37, heartbeat_at=timezone.now()
    )
    return media


@pytest.fixture
def failed(clips):
    media = upload(clips / "corrupt.mp4", title="Broken lecture", enqueue=False)
    Media.objects.filter(pk=media.pk).update(
        status=Media.Status.FAILED, error=editor_messages.unreadable("moov atom not found")
    )
    return media


def test_the_listing_shows_status_with_a_progress_bar_and_duration(admin_client, ready, processing, failed):
    html = admin_client.get(reverse("wagtailmedia:index")).content.decode()

    assert "Processing (37%)" in html
    assert 'aria-valuenow="37"' in html and "width: 37%" in html
    assert reverse("media_library_admin:status", args=(processing.pk,)) in html
    assert "This file is incomplete" in html
    assert "2.0 s" in html  # the ready item's probed duration


def test_the_status_endpoint_reports_progress_and_renditions(admin_client, ready, processing):
    busy = admin_client.get(reverse("media_library_admin:status", args=(processing.pk,))).json()
    done = admin_client.get(reverse("media_library_admin:status", args=(ready.pk,))).json()

    assert (busy["status"], busy["progress"], busy["renditions"]) == ("processing", 37, [])
    assert done["status"] == "ready" and done["duration"] == pytest.approx(2.0, abs=0.1)
    labels = {(r["label"], r["height"]) for r in done["renditions"]}
    assert labels == {("360p", 360), ("master", 360), ("thumbnails", 90)}


def test_the_status_endpoint_is_for_admin_users_only(client, django_user_model, ready):
    url = reverse("media_library_admin:status", args=(ready.pk,))
    assert client.get(url).status_code == 302  # to the admin login
    client.force_login(django_user_model.objects.create_user("student", password="pw"))
    assert client.get(url).status_code in (302, 403)


def test_the_edit_view_shows_renditions_a_preview_and_a_retranscode_button(admin_client, ready):
    html = admin_client.get(reverse("wagtailmedia:edit", args=(ready.pk,))).content.decode()

    assert "360p: MP4 (H.264/AAC) 640\u00d7360" in html
    assert "Re-transcode" in html
    assert 'class="media-player__element"' in html


def test_a_failed_item_shows_its_error_and_a_retry_that_requeues_it(
    admin_client, failed, django_capture_on_commit_callbacks
):
    html = admin_client.get(reverse("wagtailmedia:edit", args=(failed.pk,))).content.decode()
    assert "This file is incomplete" in html and "Retry transcode" in html

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin_client.post(reverse("media_library_admin:retranscode", args=(failed.pk,)))

    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.error) == (Media.Status.PENDING, "")
    assert len(callbacks) == 1


def test_retranscode_needs_a_post(admin_client, ready):
    assert admin_client.get(reverse("media_library_admin:retranscode", args=(ready.pk,))).status_code == 405


def test_the_edit_view_lists_captions_per_language_and_adds_one_for_the_item(admin_client, ready):
    from django.core.files.base import ContentFile

    from media_library.models import CaptionTrack

    CaptionTrack.objects.create(
        media=ready,
        language="en",
        label="English",
        is_default=True,
        file=ContentFile(b"WEBVTT\n", name="en.vtt"),
    )
    html = admin_client.get(reverse("wagtailmedia:edit", args=(ready.pk,))).content.decode()
    add = reverse("wagtailsnippets_media_library_captiontrack:add") + f"?media={ready.pk}"
    assert "English</a> (en, captions, on by default)" in html
    assert add in html

    form = admin_client.get(add).content.decode()
    assert f'<option value="{ready.pk}" selected>' in form
    response = admin_client.post(
        add,
        {
            "media": ready.pk,
            "language": "fr",
            "label": "Français",
            "kind": "captions",
            "file": ContentFile(b"WEBVTT\n\n00:00.000 --> 00:01.000\nBonjour\n", name="fr.vtt"),
        },
    )
    assert response.status_code == 302
    assert sorted(ready.captions.values_list("language", flat=True)) == ["en", "fr"]
