"""Lecture-like demo videos: one per course, 60 s of 720p slides with a tone and WebVTT captions.

Generated with FFmpeg (``color`` source + ``drawtext``, no download) once, and cached under
``VAR_DIR/demo-media/`` so later runs and fresh databases reuse the file. Slides are still
images, so x264 encodes them in seconds and the worker's renditions are quick too.
"""

import hashlib
import shutil
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from wagtailmedia.models import get_media_model

from media_library.models import CaptionTrack

SIZE = (1280, 720)
SLIDE_SECONDS = 12
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
FONT_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")

# Per course: (slide heading, two narration sentences said over it). Five slides: 60 s.
LECTURES = {
    "wagtail-for-beginners": [
        (
            "Wagtail for beginners",
            ("Welcome to Wagtail for beginners.", "In one hour you will build a small site."),
        ),
        (
            "Pages form a tree",
            ("Every page in Wagtail sits in a tree.", "The home page is the root of your site."),
        ),
        ("StreamField", ("A StreamField body is a list of blocks.", "Editors add, remove and reorder them.")),
        ("Images and documents", ("Upload once to the library.", "Then choose them from any page.")),
        (
            "Publish and preview",
            ("Preview a draft before it goes live.", "Publishing makes it visible to all."),
        ),
    ],
    "python-foundations": [
        ("Python foundations", ("Welcome to Python foundations.", "We start from a blank file.")),
        ("Variables", ("A variable is a name for a value.", "Assign it with a single equals sign.")),
        ("Functions", ("Functions package steps you repeat.", "Define them with the def keyword.")),
        ("Lists and dictionaries", ("Lists keep things in order.", "Dictionaries look things up by key.")),
        ("Reading tracebacks", ("Read a traceback from the bottom up.", "The last line names the error.")),
    ],
    "audio-and-video-for-learning": [
        (
            "Audio and video for learning",
            ("Welcome to audio and video for learning.", "Good sound matters most."),
        ),
        ("The room", ("Record in a small, soft room.", "Curtains and cushions absorb echoes.")),
        ("The microphone", ("Keep the microphone a hand away.", "Speak across it, not into it.")),
        (
            "Encoding for the web",
            ("H.264 and AAC play almost everywhere.", "Ringlet encodes every upload for you."),
        ),
        ("Captions", ("Captions help everyone follow.", "Write them as you would speak.")),
    ],
}


def _timestamp(seconds):
    return f"00:{seconds // 60:02d}:{seconds % 60:02d}.000"


def webvtt(slides):
    """The WebVTT captions of ``slides``: each sentence for half of its slide's time."""
    half = SLIDE_SECONDS // 2
    cues = ["WEBVTT", ""]
    for number, (_heading, sentences) in enumerate(slides):
        for part, sentence in enumerate(sentences):
            start = number * SLIDE_SECONDS + part * half
            cues += [f"{_timestamp(start)} --> {_timestamp(start + half)}", sentence, ""]
    return "\n".join(cues)


def _escape(text):
    """Text for FFmpeg's drawtext inside a filtergraph (its own quoting, then the graph's)."""
    return text.replace("\\", "\\\\").replace(":", "\\:").replace("'", "\u2019").replace(",", "\\,")


def _filtergraph(slides):
    width, height = SIZE
    parts = [f"drawbox=x=0:y={height - 90}:w={width}:h=90:color=black@0.35:t=fill"]
    for number, (heading, _sentences) in enumerate(slides):
        start, end = number * SLIDE_SECONDS, (number + 1) * SLIDE_SECONDS
        parts.append(
            f"drawtext=fontfile={FONT_BOLD}:text='{_escape(heading)}':fontsize=64:fontcolor=white:"
            f"x=(w-text_w)/2:y=h/3:enable='between(t,{start},{end})'"
        )
        parts.append(
            f"drawtext=fontfile={FONT}:text='Slide {number + 1} of {len(slides)}':fontsize=32:"
            f"fontcolor=white@0.85:x=(w-text_w)/2:y=h/3+100:enable='between(t,{start},{end})'"
        )
    return ",".join(parts)


def lecture_file(slug, slides, colour, run_ffmpeg):
    """The cached MP4 for ``slug``'s lecture, generating it with ``run_ffmpeg(*args)`` if missing."""
    seconds = len(slides) * SLIDE_SECONDS
    key = hashlib.sha256(repr((slides, colour, SIZE, seconds)).encode()).hexdigest()[:12]
    cache = Path(settings.VAR_DIR) / "demo-media"
    path = cache / f"{slug}-lecture-{key}.mp4"
    if path.exists():
        return path
    cache.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial.mp4")
    r, g, b = colour
    width, height = SIZE
    background = f"color=c=0x{r:02x}{g:02x}{b:02x}:size={width}x{height}:rate=15:duration={seconds}"
    run_ffmpeg(
        "-f", "lavfi", "-i", background,
        "-f", "lavfi", "-i", f"sine=frequency=220:sample_rate=44100:duration={seconds}",
        "-filter:v", _filtergraph(slides), "-af", "volume=0.15",
        "-c:v", "libx264", "-preset", "veryfast", "-tune", "stillimage", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-b:a", "64k", "-shortest", "-movflags", "+faststart", str(partial),
    )  # fmt: skip
    shutil.move(partial, path)
    return path


def ensure_lecture(slug, course_title, colour, run_ffmpeg):
    """The course's lecture video in the media library, with its English captions (default on)."""
    slides = LECTURES[slug]
    title = f"Lecture: {course_title}"
    Media = get_media_model()
    media = Media.objects.filter(title=title, type="video").first()
    if media is None:
        path = lecture_file(slug, slides, colour, run_ffmpeg)
        width, height = SIZE
        media = Media(
            title=title, type="video", duration=len(slides) * SLIDE_SECONDS, width=width, height=height
        )
        with path.open("rb") as handle:
            media.file.save(f"{slug}-lecture.mp4", File(handle), save=False)
        media.save()
    if not media.captions.exists():
        caption = CaptionTrack(media=media, language="en", label="English", is_default=True)
        caption.file.save(f"{slug}-lecture.en.vtt", ContentFile(webvtt(slides).encode()), save=False)
        caption.save()
    return media


def transcript(slug):
    """The lecture's narration as rich text, for the video block's transcript ("" for another slug)."""
    return "".join(
        f"<p><b>{heading}.</b> {' '.join(sentences)}</p>" for heading, sentences in LECTURES.get(slug, ())
    )
