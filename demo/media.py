"""Idempotent demo media (for ``manage.py demo_content``; the courses app decides what to call)."""

import subprocess
import tempfile
from pathlib import Path

from django.core.files import File

from media_library.models import Media

FFMPEG = "ffmpeg"  # from Debian (scripts/system-deps.sh), on PATH


def ensure_test_pattern_video(title="Test pattern", seconds=10, height=720):
    """Return the demo video called ``title``, generating it with FFmpeg the first time.

    Saving it queues its transcode like any upload, so the pipeline runs in `make run`.
    """
    existing = Media.objects.filter(title=title, type="video").first()
    if existing:
        return existing
    width = height * 16 // 9
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "test-pattern.mp4"
        subprocess.run(  # noqa: S603 (fixed arguments)
            [FFMPEG, "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=size={width}x{height}:rate=30"]
            + ["-f", "lavfi", "-i", "sine=frequency=440", "-t", str(seconds), "-c:v", "libx264"]
            + ["-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac", str(path)],
            check=True,
            timeout=120,
        )
        with path.open("rb") as fh:
            return Media.objects.create(title=title, type="video", file=File(fh, name=path.name))
