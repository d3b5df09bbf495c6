"""Caption files in legacy encodings are converted and the editor told; undecodable ones are
refused with what to do; empty uploads get a specific message (issue 23)."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from media_library.models import CaptionTrack, Media
from media_library.validation import EMPTY_FILE_MESSAGE, UNDECODABLE_MESSAGE, caption_to_vtt
from tests.page_fixtures import make_media

pytestmark = pytest.mark.django_db

FRENCH_SRT = (
    "1\r\n00:00:00,500 --> 00:00:01,800\r\nBonjour à tous, chers élèves !\r\n\r\n"
    "2\r\n00:00:02,000 --> 00:00:02,900\r\n« Ça va ? » — Très bien, merci. Coût : 5 €\r\n"
)
RUSSIAN = "Привет, студенты. Сегодня мы поговорим о физике."  # noqa: RUF001 (Cyrillic on purpose)
FRENCH_CUES = ["Bonjour à tous, chers élèves !", "« Ça va ? » — Très bien, merci. Coût : 5 €"]


def cues_of(converted):
    import webvtt

    return [c.text for c in webvtt.from_string(converted.read().decode("utf-8"))]


@pytest.mark.parametrize(
    ("encoding", "text", "cues", "named"),
    [
        ("cp1252", FRENCH_SRT, FRENCH_CUES, "Windows-1252 (Western European)"),
        (
            "latin-1",
            "1\n00:00:00,500 --> 00:00:01,800\nAñadir la canción, señor\n",
            ["Añadir la canción, señor"],
            "Windows-1252 (Western European)",
        ),
        ("utf-16", FRENCH_SRT, FRENCH_CUES, "UTF-16"),  # Python's utf-16 writes a BOM
        (
            "cp1251",
            f"1\n00:00:00,500 --> 00:00:01,800\n{RUSSIAN}\n",
            [RUSSIAN],
            "Windows-1251 (Cyrillic)",
        ),
        ("utf-8", FRENCH_SRT, FRENCH_CUES, ""),
        ("utf-8-sig", "WEBVTT\n\n00:00.500 --> 00:01.800\nCafé\n", ["Café"], ""),
    ],
)
def test_captions_in_common_encodings_are_converted_to_utf8_and_say_from_what(encoding, text, cues, named):
    converted = caption_to_vtt(SimpleUploadedFile("lecture.srt", text.encode(encoding)))

    assert converted.converted_from == named
    assert cues_of(converted) == cues


def test_an_undecodable_caption_file_is_refused_with_how_to_fix_it():
    # A UTF-16 byte-order mark and then an odd number of bytes: no encoding reads it.
    with pytest.raises(ValidationError) as error:
        caption_to_vtt(SimpleUploadedFile("broken.srt", b"\xff\xfe\x00garbag"))

    assert error.value.messages == [UNDECODABLE_MESSAGE]
    assert "save it as UTF-8" in UNDECODABLE_MESSAGE and "upload it again" in UNDECODABLE_MESSAGE


def test_the_editor_is_told_a_windows_1252_srt_was_converted(client, admin_user, root_collection):
    media = make_media()
    client.force_login(admin_user)

    response = client.post(
        reverse("wagtailsnippets_media_library_captiontrack:add"),
        {
            "media": media.pk,
            "language": "fr",
            "label": "Français",
            "kind": "captions",
            "file": SimpleUploadedFile("cours.srt", FRENCH_SRT.encode("cp1252")),
        },
        follow=True,
    )

    html = response.content.decode()
    # Storage may give the file a suffix when another test left a "cours.vtt" behind.
    assert re.search(
        r"“cours(_\w+)?\.vtt” was not UTF-8: it was read as Windows-1252 \(Western European\)", html
    )
    track = CaptionTrack.objects.get(media=media)
    with track.file.open("rb") as fh:
        assert "« Ça va ? » — Très bien" in fh.read().decode("utf-8")


def test_a_zero_byte_media_upload_is_refused_with_a_specific_message(client, admin_user, root_collection):
    client.force_login(admin_user)

    response = client.post(
        reverse("wagtailmedia:add", args=("video",)),
        {"title": "Lecture", "file": SimpleUploadedFile("a.mp4", b""), "collection": root_collection.pk},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [EMPTY_FILE_MESSAGE]
    assert not Media.objects.exists()
