"""Media made by FFmpeg once per session, and helpers to create and wait for media items."""

import json
import subprocess

import pypdf
import pytest
from django.contrib.auth.models import Group

from media_library import services


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


@pytest.fixture
def watchers_policy(db):
    """A real access policy, as the courses app will register: members of "watchers" may watch."""
    group, _ = Group.objects.get_or_create(name="watchers")

    def members_of_watchers(user, media):
        return user.is_authenticated and user.groups.filter(pk=group.pk).exists()

    previous = services.register_access_policy(members_of_watchers)
    yield group
    services.register_access_policy(previous)


@pytest.fixture
def no_access_policy():
    """No policy at all, as in a project where no app registered one."""
    previous = services.register_access_policy(None)
    yield
    services.register_access_policy(previous)


@pytest.fixture(autouse=True)
def root_collection(request):
    """Transactional tests empty every table, the root collection (made by a migration) too."""
    if request.node.get_closest_marker("django_db") is None:
        return None
    from wagtail.models import Collection

    return Collection.get_first_root_node() or Collection.add_root(name="Root")
