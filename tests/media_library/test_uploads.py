"""Upload checks in the admin: content sniffing, size limit, captions, PDF page counts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.documents import get_document_model

from media_library import services
from media_library.models import CaptionTrack, DocumentInfo, Media
from media_library.tasks import record_document_info
from media_library.validation import caption_to_vtt
from tests.media_fixtures import upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client, django_user_model):
    user = django_user_model.objects.create_superuser("editor", "editor@example.com", "pw")
    client.force_login(user)
    return user


def add_media(client, media_type, name, content):
    return client.post(
        reverse("wagtailmedia:add", args=(media_type,)),
        {"title": "Lecture", "file": SimpleUploadedFile(name, content), "collection": 1},
    )


def form_errors(response):
    return response.context["form"].errors.get("file", [])


def test_a_video_upload_is_saved_pending_and_its_transcode_queued_after_commit(
    client, editor, clips, django_capture_on_commit_callbacks, root_collection
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("wagtailmedia:add", args=("video",)),
            {
                "title": "Lecture",
                "file": SimpleUploadedFile("lecture.mov", (clips / "sd.mp4").read_bytes()),
                "collection": root_collection.pk,
            },
        )

    assert response.status_code == 302, form_errors(response)
    media = Media.objects.get()
    assert (media.status, media.source_file, media.uploaded_by_user) == (
        Media.Status.PENDING,
        media.file.name,
        editor,
    )
    assert len(callbacks) == 1  # the transcode, enqueued only once the row is committed


def test_a_zero_byte_upload_is_refused_with_a_clear_error(client, editor):
    response = add_media(client, "video", "empty.mp4", b"")

    assert response.status_code == 200
    assert any("empty" in e for e in form_errors(response))
    assert not Media.objects.exists()


def test_a_pdf_named_mp4_is_refused_by_its_content(client, editor, clips):
    response = add_media(client, "video", "lecture.mp4", (clips / "document.pdf").read_bytes())

    assert response.status_code == 200
    assert form_errors(response) == [
        "This file is not a video: its content is application/pdf. Upload MP4, MOV, WebM or MKV video."
    ]
    assert not Media.objects.exists()


def test_audio_uploaded_as_a_video_is_refused(client, editor, clips):
    response = add_media(client, "video", "song.mp4", (clips / "tone.mp3").read_bytes())

    assert "its content is audio/mpeg" in form_errors(response)[0]
    assert not Media.objects.exists()


def all_errors(response):
    """Every error the form shows: on its fields and at its top."""
    return [e for errors in response.context["form"].errors.values() for e in errors]


def test_an_upload_over_the_size_limit_is_refused_with_both_sizes(client, editor, clips, settings):
    settings.MEDIA_MAX_UPLOAD_MB = 1
    big = (clips / "sd.mp4").read_bytes().ljust(1536 * 1024, b"\0")

    response = add_media(client, "video", "big.mp4", big)

    assert all_errors(response) == [
        "This file is too large: 1.5 MiB; the limit is 1 MiB. "
        "Export a smaller file (a lower resolution or bitrate), or split it into parts."
    ]
    assert not Media.objects.exists()


def test_the_size_message_gives_both_sizes_in_whole_mib_and_never_rounds_the_file_down(settings):
    from media_library.validation import too_large_message

    settings.MEDIA_MAX_UPLOAD_MB = 2048

    assert too_large_message(2048 * 1024 * 1024 + 1).startswith(
        "This file is too large: 2,049 MiB; the limit is 2,048 MiB."
    )


@pytest.mark.parametrize(
    ("media_type", "name", "clip"),
    [
        ("video", "lecture.mp4", "document.pdf"),
        ("video", "song.mp4", "tone.mp3"),
        ("audio", "a.mp3", "document.pdf"),
    ],
)
def test_a_refused_file_gets_exactly_one_error_on_the_form(client, editor, clips, media_type, name, clip):
    response = add_media(client, media_type, name, (clips / clip).read_bytes())

    errors = all_errors(response)
    assert len(errors) == 1, errors
    assert "extension" not in errors[0]
    assert not Media.objects.exists()


def test_an_mp4_without_its_index_is_refused_at_upload_with_one_clear_message(client, editor, clips):
    response = add_media(client, "video", "interrupted.mp4", (clips / "corrupt.mp4").read_bytes())

    assert response.status_code == 200
    (error,) = all_errors(response)
    assert error.startswith("This file is incomplete: its index (which tells players where each frame is)")
    assert "moov" not in error and "0x" not in error and "/" not in error
    assert not Media.objects.exists()


def test_a_recording_longer_than_the_longest_supported_is_refused_at_upload(client, editor, clips, settings):
    settings.MEDIA_MAX_DURATION_HOURS = 0.0005  # 1.8 s; the clip lasts 2 s

    response = add_media(client, "video", "long.mp4", (clips / "sd.mp4").read_bytes())

    assert all_errors(response) == [
        "This recording is 2 seconds long; the longest supported is 0.0005 hours. "
        "Please split it into parts and upload each one."
    ]


def test_the_generic_media_upload_takes_its_type_from_the_bytes(client, editor, clips, root_collection):
    response = client.post(
        reverse("wagtailmedia:add", args=("media",)),
        {
            "title": "Tone",
            "file": SimpleUploadedFile("tone.mp3", (clips / "tone.mp3").read_bytes()),
            "collection": 1,
        },
    )

    assert response.status_code == 302, form_errors(response)
    assert Media.objects.get().type == "audio"


SRT = (
    "1\r\n00:00:00,500 --> 00:00:01,800\r\nHello, students\r\n\r\n"
    "2\r\n00:00:02,000 --> 00:00:02,900\r\nBye\r\n"
)


def test_srt_captions_are_converted_to_webvtt():
    converted = caption_to_vtt(SimpleUploadedFile("lesson1.srt", SRT.encode()))

    assert converted.name == "lesson1.vtt"
    assert converted.read().decode() == (
        "WEBVTT\n\n00:00:00.500 --> 00:00:01.800\nHello, students\n\n00:00:02.000 --> 00:00:02.900\nBye\n"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The caption file is empty."),
        (b"\xff\xfe\x00garbag", "This caption file's text encoding could not be recognised"),
        (b"just some text\nno cues", "This is not a valid WebVTT file"),
        (b"WEBVTT\n\n00:00:01.000 --> 00:00:xx.000\nhi\n", "This is not a valid WebVTT file"),
        (b"WEBVTT\n\n", "The caption file has no cues."),
        (b"WEBVTT\n\n00:00:03.000 --> 00:00:01.000\nbackwards\n", "ends before it starts"),
    ],
)
def test_invalid_caption_files_are_refused_with_a_reason(content, message):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        caption_to_vtt(SimpleUploadedFile("bad.vtt", content))
    assert message in error.value.messages[0]


BROKEN_SRT = (
    "1\n00:00:00,500 --> 00:00:01,800\nHello, students\n\n"
    "2\n00:00:02,000 -> 00:00:02,900\nThis cue would vanish\n\n"
    "3\n00:00:03,000 --> 00:00:03,900\nBye\n"
)


def test_an_srt_file_with_a_broken_cue_is_refused_naming_the_cue_and_its_line():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        caption_to_vtt(SimpleUploadedFile("lesson.srt", BROKEN_SRT.encode()))

    assert error.value.messages == [
        "This is not a valid SubRip (SRT) file: cue 2 (line 6) cannot be read: "
        "“00:00:02,000 -> 00:00:02,900” is not a timing such as 00:00:01,000 --> 00:00:02,500. "
        "Correct it and upload the file again."
    ]


def test_a_webvtt_cue_with_a_broken_timing_is_refused_naming_it_while_notes_and_ids_are_fine():
    from django.core.exceptions import ValidationError

    good = "WEBVTT\n\nNOTE made by hand\n\nintro\n00:01.000 --> 00:02.000 align:start\nHi\n"
    assert caption_to_vtt(SimpleUploadedFile("ok.vtt", good.encode())).read().startswith(b"WEBVTT")

    with pytest.raises(ValidationError) as error:
        caption_to_vtt(SimpleUploadedFile("bad.vtt", (good + "\n00:03.000 --> 00:0x.000\nBye\n").encode()))
    assert "cue 2 (line 9) cannot be read" in error.value.messages[0]


def test_captions_uploaded_in_the_admin_are_stored_as_vtt_or_refused(client, editor, clips):
    media = upload(clips / "sd.mp4", enqueue=False)
    url = reverse("wagtailsnippets_media_library_captiontrack:add")

    bad = client.post(
        url,
        {
            "media": media.pk,
            "language": "en",
            "label": "English",
            "kind": "captions",
            "file": SimpleUploadedFile("en.srt", b"not subtitles at all"),
        },
    )
    good = client.post(
        url,
        {
            "media": media.pk,
            "language": "fr",
            "label": "Français",
            "kind": "captions",
            "file": SimpleUploadedFile("fr.srt", SRT.encode()),
        },
    )

    assert bad.status_code == 200 and "not a valid" in str(bad.context["form"].errors["file"])
    assert good.status_code == 302
    track = CaptionTrack.objects.get()
    assert track.language == "fr" and track.file.name.endswith(".vtt")
    assert track.file.read().startswith(b"WEBVTT")


def test_a_pdf_documents_page_count_is_recorded(clips, django_capture_on_commit_callbacks):
    Document = get_document_model()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        document = Document.objects.create(
            title="Handout", file=SimpleUploadedFile("handout.pdf", (clips / "document.pdf").read_bytes())
        )
    assert len(callbacks) == 1  # counting is queued, not done in the request

    assert record_document_info(document.pk) == 2

    assert services.page_count(document) == 2
    assert DocumentInfo.objects.get(document=document).file_name == document.file.name


def test_a_damaged_pdf_gets_no_page_count_and_a_reason(clips):
    document = get_document_model().objects.create(
        title="Broken", file=SimpleUploadedFile("broken.pdf", b"%PDF-1.4\nnot really")
    )

    assert record_document_info(document.pk) is None
    assert services.page_count(document) is None
    assert "Could not read the PDF" in DocumentInfo.objects.get(document=document).error


def test_the_demo_test_pattern_is_made_once_and_queued_for_transcoding(django_capture_on_commit_callbacks):
    from demo.media import ensure_test_pattern_video

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = ensure_test_pattern_video(seconds=1, height=180)
        again = ensure_test_pattern_video(seconds=1, height=180)

    assert first == again and Media.objects.count() == 1
    assert first.status == Media.Status.PENDING and len(callbacks) == 1
