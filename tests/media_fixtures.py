"""Media for any app's tests: clips FFmpeg makes once per session, and media items made from them.

The ``clips`` and ``long_clip`` fixtures are loaded for every test through ``pytest_plugins``
in tests/conftest.py. ``upload`` and ``wait_until_settled`` go with the session's
``celery_worker`` (transactional tests); ``transcode_here`` runs the same probe and encode
tasks in the test process, for tests whose data the worker cannot see (inside a test
transaction).
"""

import io
import json
import subprocess
from pathlib import Path

import pypdf
import pytest
from django.core.files import File
from django.core.files.base import ContentFile
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from wagtail.documents import get_document_model

from media_library import tasks
from media_library.models import Media
from tests.media_library.factories import MediaFactory
from tests.processes import wait_for


def make_pdf(pages=3, **encryption):
    """A real PDF made with ReportLab, A4: page 1 has a black band across its top half, and
    every page says "Page N of M" (Helvetica, not embedded). ``encrypt="pw"`` locks it."""
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, **encryption)
    width, height = A4
    for number in range(1, pages + 1):
        if number == 1:
            pdf.rect(0, height / 2, width, height / 2, stroke=0, fill=1)
        pdf.drawString(72, 72, f"Page {number} of {pages}")
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def make_document(data, name="handout.pdf", title="Handout"):
    """A Wagtail document of these bytes, with the size and hash the admin's upload records."""
    document = get_document_model()(title=title)
    document.file.save(name, ContentFile(data), save=False)
    document._set_document_file_metadata()
    document.save()
    return document


def upload(path, media_type="video", title=None, enqueue=True, **fields):
    """A media item of a local file (``MediaFactory``). With ``enqueue=False`` no transcode is
    queued (the file is stored first and the item records it as already seen), as when the
    broker was down at upload time."""
    path = Path(path)
    with path.open("rb") as fh:
        return MediaFactory(
            title=title or path.stem,
            type=media_type,
            file=File(fh, name=path.name),
            enqueue=enqueue,
            **fields,
        )


def wait_until_settled(media, timeout=90):
    """Wait until ``media`` is ready or failed; return it fresh from the database."""

    def settled():
        media.refresh_from_db()
        return media.status in (Media.Status.READY, Media.Status.FAILED) and media

    return wait_for(settled, timeout=timeout, interval=0.3, message=f"media {media.pk} to be ready or failed")


def transcode_here(media):
    """Probe and encode ``media`` with the real pipeline (FFmpeg, renditions, switch) in this
    process, as the transcode task does; return it fresh from the database."""
    assert tasks.record_probe(media) is not None, "the clip could not be probed"
    result = tasks.encode.apply(args=(media.pk, media.file.name)).get()
    media.refresh_from_db()
    assert (result, media.status) == ("ready", Media.Status.READY), media.error
    return media


def add_caption(media, cue, language="en", label="English"):
    """Give ``media`` a default WebVTT caption track with one cue, ``cue``, from 0 to 1.5 s."""
    from django.core.files.base import ContentFile

    from media_library.models import CaptionTrack

    vtt = f"WEBVTT\n\n00:00:00.000 --> 00:00:01.500\n{cue}\n".encode()
    return CaptionTrack.objects.create(
        media=media,
        language=language,
        label=label,
        is_default=True,
        file=ContentFile(vtt, name=f"{language}.vtt"),
    )


def ffmpeg(*args):
    subprocess.run(["ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-y", *args], check=True)


@pytest.fixture(scope="session")
def clips(tmp_path_factory):
    """Short test clips, generated once: keep them small, the suite runs on 2 cores."""
    d = tmp_path_factory.mktemp("clips")
    video = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac"]
    ffmpeg(
        *["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25", "-f", "lavfi", "-i", "sine=frequency=440"],
        *["-t", "3", *video, str(d / "hd.mp4")],
    )
    ffmpeg(
        *["-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25", "-f", "lavfi", "-i", "sine=frequency=330"],
        *["-t", "2", *video, str(d / "sd.mp4")],
    )
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=550", "-t", "3", "-c:a", "libmp3lame", str(d / "tone.mp3"))
    # An MP4 cut in half: the header says MP4 (so upload checks pass) but the index
    # written at the end is missing, as with an interrupted upload.
    whole = (d / "hd.mp4").read_bytes()
    (d / "corrupt.mp4").write_bytes(whole[: len(whole) // 2])
    # Index first (faststart), then cut at 50% and 30%: the header promises 4 s, the data
    # holds about 2 s and 1 s. FFmpeg reads such a file without an error.
    small = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-t"]
    ffmpeg(
        *["-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25", "-f", "lavfi", "-i", "sine=frequency=440"],
        *[*small, "4", "-movflags", "+faststart", str(d / "faststart.mp4")],
    )
    whole = (d / "faststart.mp4").read_bytes()
    (d / "truncated-50.mp4").write_bytes(whole[: len(whole) // 2])
    (d / "truncated-30.mp4").write_bytes(whole[: len(whole) * 3 // 10])
    # Ladder ends: below the lowest rung, and full HD (1 s each: an encode of every rung).
    ffmpeg(*["-f", "lavfi", "-i", "testsrc2=size=426x240:rate=25"], *[*small, "1", str(d / "240p.mp4")])
    ffmpeg(*["-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=25"], *[*small, "1", str(d / "1080p.mp4")])
    pdf = pypdf.PdfWriter()
    for _ in range(2):
        pdf.add_blank_page(width=200, height=200)
    with (d / "document.pdf").open("wb") as fh:
        pdf.write(fh)
    return d


@pytest.fixture(scope="session")
def long_clip(tmp_path_factory):
    """Long enough at 720p that an encode can be caught (and killed) half way."""
    path = tmp_path_factory.mktemp("long") / "long.mp4"
    ffmpeg(
        *["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30", "-f", "lavfi", "-i", "sine=frequency=220"],
        *[
            "-t",
            "20",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            str(path),
        ],
    )
    return path


def ffprobe_streams(path_or_url):
    """``[(codec_type, codec_name, width, height)]`` of a file, playlist or URL, as ffprobe sees it."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-of", "json", str(path_or_url)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [
        (s["codec_type"], s["codec_name"], s.get("width"), s.get("height"))
        for s in json.loads(out)["streams"]
    ]


def play_muted(page, selector, *, past=1):
    """Show intent over the video at ``selector`` (the player loads its stream then), wait until
    the stream is attached, play it muted and wait until it is ``past`` seconds in. Returns the
    engine the player chose ("hls.js", "native-hls" or "mp4").

    Playing before the stream is attached would be aborted by the player's own load (the player
    plays again by itself, but the test's ``play()`` promise rejects). Functions, not expression
    strings: Playwright evaluates strings with eval, which the site's policy forbids."""
    page.locator(selector).first.hover(force=True)
    page.wait_for_function(
        f"() => document.querySelector('{selector}') && document.querySelector('{selector}').dataset.engine",
        timeout=15_000,
    )
    page.evaluate(
        f"() => {{ const v = document.querySelector('{selector}'); v.muted = true; return v.play(); }}"
    )
    page.wait_for_function(f"() => document.querySelector('{selector}').currentTime > {past}", timeout=30_000)
    return page.evaluate(f"() => document.querySelector('{selector}').dataset.engine")


def open_admin_preview(page, live_server, client, django_user_model, media):
    """Log a superuser into ``page`` and open ``media``'s edit view, whose preview plays it; show
    intent (the player loads its stream on it) and wait for hls.js. Returns the video's selector."""
    admin = django_user_model.objects.create_superuser("editor", "editor@example.com", "pw")
    client.force_login(admin)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/admin/media/edit/{media.pk}/")
    video = ".media-preview video"
    page.locator(".media-preview .media-player").hover()
    page.wait_for_function(
        f"document.querySelector('{video}') && document.querySelector('{video}').dataset.engine === 'hls.js'",
        timeout=10_000,
    )
    return video
