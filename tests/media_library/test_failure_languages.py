"""A worker's failure reason is stored as a code and its parameters, and worded in the reader's
language (README, "Languages"): an item that failed while the worker spoke English reads in
French for a French editor, in the listing, its edit page, its status and on a lesson."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from media_library import editor_messages, tasks
from media_library.models import Media
from tests.media_fixtures import upload

pytestmark = pytest.mark.django_db

INCOMPLETE_FR = "Ce fichier est incomplet"
INCOMPLETE_EN = "This file is incomplete"


def test_a_corrupt_upload_reads_in_the_editors_language(clips, client, admin_user, french):
    media = upload(clips / "corrupt.mp4", title="No index", enqueue=False)
    with translation.override("fr"):  # whatever the worker speaks, what it stores is a code
        assert tasks.record_probe(media) is None
    media.refresh_from_db()
    assert media.status == Media.Status.FAILED
    assert media.error_code == "unreadable"
    assert media.error_params == {"detail": "moov atom not found"}
    assert media.error.startswith(INCOMPLETE_EN)  # the site's default language, for the log

    client.force_login(admin_user)
    for language, expected, other in [
        ("fr", INCOMPLETE_FR, INCOMPLETE_EN),
        ("en", INCOMPLETE_EN, INCOMPLETE_FR),
    ]:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        for url in [reverse("wagtailmedia:index"), reverse("wagtailmedia:edit", args=(media.pk,))]:
            page = client.get(url).content.decode()
            assert expected in page and other not in page, (language, url)
        status = client.get(reverse("media_library_admin:status", args=(media.pk,))).json()
        assert status["error"].startswith(expected)


def test_every_stored_reason_is_worded_in_french_and_an_old_row_keeps_its_sentence():
    reasons = [
        editor_messages.failure("unreadable", detail="/tmp/x.mp4: no audio or video stream"),
        editor_messages.failure("damaged", read_seconds=5.07, total_seconds=10.0),
        editor_messages.failure("encode_failed"),
        editor_messages.failure("too_long", duration=3725, max_hours=4),
        editor_messages.failure("timed_out"),
        editor_messages.failure("gave_up", attempts=3),
        editor_messages.failure("unexpected", reference="abc"),
    ]
    assert reasons[0].params == {"detail": "no audio or video stream"}  # no server path kept
    for reason in reasons:
        english = reason.default_text()
        with translation.override("fr"):
            french = Media(error=english, error_code=reason.code, error_params=reason.params).error_message
        assert french and french != english, reason
    assert Media(error="Stored before codes").error_message == "Stored before codes"
    assert Media(error="Kept", error_code="from_a_newer_version").error_message == "Kept"
