"""FFmpeg and ffprobe: probing a file and encoding every rendition in one run.

Nothing here touches the database or Django's storage; the task module does that,
and the benchmark reuses ``ladder_command`` to time the bare FFmpeg run.
"""

import json
import math
import os
import re
import subprocess
import threading
import time
from collections import deque
from dataclasses import dataclass, field, fields

from .languages import bcp47, language_name

FFMPEG = "ffmpeg"  # from Debian (scripts/system-deps.sh), on PATH
FFPROBE = "ffprobe"

# The ladder: (height, video kbit/s, audio kbit/s). A source is never scaled up, so a
# 360p source gets the 360p rung only and a 240p one a single rung at its own size. The
# 1080p rung is for sources of 1080p and more (code in a screencast is unreadable at 720p).
LADDER = [(360, 800, 96), (720, 2500, 128), (1080, 5000, 128)]
AUDIO_KBPS = 128
# 6 s segments (Apple's authoring guideline): a watcher asks for one every 6 s instead of every
# 2 s, which cut the server CPU per watcher-minute 2.2x in bench/watchers.py (bench/RESULTS.md,
# issue 21), for a start and a seek that wait for at most one 6 s segment at 800 kbit/s (600 kB).
SEGMENT_SECONDS = 6
# A key frame every 2 s inside those segments: seeking lands within 2 s of where the student
# asked, and the seek previews (a key frame each, decoded without the rest) come every 2 s.
KEYFRAME_SECONDS = 2
X264_PRESET = "veryfast"
AUDIO_GROUP = "audio"
# Handler names muxers write on their own, which say nothing about the track.
GENERIC_HANDLER_NAMES = {"soundhandler", "sound handler", "core media audio", "audio"}
INTERLACED_FIELD_ORDERS = {"tt", "bb", "tb", "bt"}
# Interlacing detection when the container does not say: frames ``idet`` reads, from
# a third of the way in, and the share of them that must look interlaced.
IDET_FRAMES = 250
IDET_INTERLACED_SHARE = 0.5


class FFmpegError(Exception):
    """FFmpeg or ffprobe failed; ``summary`` is the tail of its own error output."""

    def __init__(self, summary):
        super().__init__(summary)
        self.summary = summary


@dataclass
class Probe:
    duration: float
    has_video: bool
    has_audio: bool
    width: int | None = None
    height: int | None = None
    video_codec: str = ""
    audio_codec: str = ""
    bitrate: int | None = None
    # Every audio stream, in the file's order: {"index", "language", "name", "default"}
    # (``audio_tracks``); the one marked default (else the first) goes into the MP4s.
    audio_tracks: list = field(default_factory=list)
    # The source's chapters as [start seconds, title] (M4A/MP4/MKV chapters).
    chapters: list = field(default_factory=list)
    # ffprobe's field_order ("progressive", "tt", "bb", "tb", "bt", or "" when unknown), and
    # whether the encode deinterlaces (``detect_interlacing`` decides when it is unknown).
    field_order: str = ""
    interlaced: bool = False
    raw: dict = field(default_factory=dict, repr=False)

    @property
    def default_audio(self):
        """The audio stream (index among audio streams) the MP4s keep."""
        return next((t["index"] for t in self.audio_tracks if t.get("default")), 0)

    def facts(self):
        """What the probe learnt, JSON-ready (for a task message), without ffprobe's raw output."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "raw"}

    @classmethod
    def from_facts(cls, facts):
        return cls(**{f.name: facts[f.name] for f in fields(cls) if f.name in facts})


def probe(path, timeout=60):
    """Run ffprobe on ``path``; raise ``FFmpegError`` if it is not a playable audio/video file."""
    try:
        result = subprocess.run(  # noqa: S603 (fixed program, arguments are not from a shell)
            [FFPROBE, "-v", "error", "-print_format", "json", "-show_format", "-show_streams"]
            + ["-show_chapters", str(path)],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise FFmpegError(f"ffprobe did not finish within {timeout} s") from None
    if result.returncode != 0:
        raise FFmpegError(_tail(result.stderr) or f"ffprobe exited with status {result.returncode}")
    data = json.loads(result.stdout or "{}")
    streams = data.get("streams", [])
    # Cover art in an MP3 or M4A shows up as a one-frame "video" stream.
    video = next(
        (
            s
            for s in streams
            if s.get("codec_type") == "video" and not s.get("disposition", {}).get("attached_pic")
        ),
        None,
    )
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    if not video and not audio:
        raise FFmpegError("The file has no audio or video stream FFmpeg can read.")
    fmt = data.get("format", {})
    duration = _number(fmt.get("duration")) or _number((video or audio).get("duration")) or 0.0
    if duration <= 0:
        raise FFmpegError("FFmpeg could not find the file's duration; it may be truncated or corrupt.")
    width, height = (video.get("width"), video.get("height")) if video else (None, None)
    rotation = _rotation(video) if video else 0
    if rotation in (90, 270) and width and height:
        width, height = height, width
    field_order = (video or {}).get("field_order", "")
    return Probe(
        duration=duration,
        has_video=video is not None,
        has_audio=audio is not None,
        width=width,
        height=height,
        video_codec=(video or {}).get("codec_name", ""),
        audio_codec=(audio or {}).get("codec_name", ""),
        bitrate=int(_number(fmt.get("bit_rate")) or 0) or None,
        audio_tracks=audio_tracks(streams),
        chapters=_chapters(data.get("chapters", []), duration),
        field_order="" if field_order == "unknown" else field_order,
        interlaced=field_order in INTERLACED_FIELD_ORDERS,
        raw=data,
    )


def audio_tracks(streams):
    """Each audio stream of ffprobe's ``streams`` with its language (BCP 47), a name to show
    and whether it is the default: the disposition's default, else the first."""
    audio = [s for s in streams if s.get("codec_type") == "audio"]
    tracks = []
    for index, stream in enumerate(audio):
        tags = {k.lower(): v for k, v in (stream.get("tags") or {}).items()}
        language = bcp47(tags.get("language"))
        name = (tags.get("title") or tags.get("handler_name") or "").strip()
        if not name or name.lower() in GENERIC_HANDLER_NAMES:
            name = language_name(language) or (language or f"Track {index + 1}")
        tracks.append(
            {
                "index": index,
                "language": language,
                "name": name[:64],
                "default": bool((stream.get("disposition") or {}).get("default")),
            }
        )
    defaults = [t for t in tracks if t["default"]]
    for track in tracks:
        track["default"] = track is (defaults[0] if defaults else tracks[0])
    # Two tracks with the same name would be indistinguishable in the player's menu.
    seen = {}
    for track in tracks:
        seen[track["name"]] = seen.get(track["name"], 0) + 1
        if seen[track["name"]] > 1:
            track["name"] = f"{track['name']} ({seen[track['name']]})"
    return tracks


def _chapters(chapters, duration):
    """[[start, title]] of ffprobe's chapters, in order, within the file, untitled ones named."""
    found = []
    for number, chapter in enumerate(chapters, start=1):
        start = _number(chapter.get("start_time"))
        if start is None or start < 0 or start >= duration:
            continue
        title = ((chapter.get("tags") or {}).get("title") or "").strip() or f"Chapter {number}"
        found.append([round(start, 3), " ".join(title.split())[:200]])
    return sorted(found)


@dataclass
class Variant:
    label: str  # "360p", "720p" or "audio"
    mp4: str  # relative output names
    playlist: str
    height: int | None
    width: int | None
    video_kbps: int
    audio_kbps: int

    @property
    def bandwidth(self):
        return (self.video_kbps + self.audio_kbps) * 1000 * 11 // 10


def plan(info):
    """The variants to produce for a probed file, smallest first."""
    if not info.has_video:
        return [Variant("audio", "audio.m4a", "hls/audio/index.m3u8", None, None, 0, AUDIO_KBPS)]
    # Below the lowest rung, the source's own height (rounded down to even: never up).
    rungs = [rung for rung in LADDER if rung[0] <= info.height] or [(_even_down(info.height), *LADDER[0][1:])]
    variants = []
    for height, v_kbps, a_kbps in rungs:
        width = min(_even(info.width * height / info.height), _even_down(info.width))
        label = f"{height}p"
        variants.append(
            Variant(label, f"{label}.mp4", f"hls/{label}/index.m3u8", height, width, v_kbps, a_kbps)
        )
    return variants


def audio_renditions(info):
    """The HLS alternate audio renditions: one per audio track when there are several.

    A file with one audio track keeps it muxed into each variant (one playlist per quality,
    as before); with several, each variant carries video only, and every track becomes an
    ``EXT-X-MEDIA`` audio rendition the player can switch to.
    """
    if len(info.audio_tracks) < 2:
        return []
    return [{**track, "playlist": f"hls/audio_{track['index']}/index.m3u8"} for track in info.audio_tracks]


def video_filter(info):
    """The filter applied once to the decoded video before the split: a deinterlacer when the
    source is interlaced (``bwdif``, one frame per frame, both field orders detected per frame)."""
    return "bwdif=mode=send_frame:parity=auto:deint=all," if info.interlaced else ""


def ladder_command(source, out_dir, info, variants):
    """One FFmpeg command: a single decode, a split filter, each variant encoded once.

    Each encoded variant goes to an MP4 (progressive download, fallback) and an HLS
    playlist of 2 s segments at the same time through the tee muxer, so no variant is
    encoded twice. Key frames are forced every segment so the variants switch cleanly.
    """
    cmd = [FFMPEG, "-hide_banner", "-nostdin", "-y", "-v", "error", "-i", str(source)]
    if info.has_video:
        n = len(variants)
        labels = "".join(f"[s{i}]" for i in range(n))
        deinterlace = video_filter(info)
        chains = [f"[0:v:0]{deinterlace}split={n}{labels}" if n > 1 else f"[0:v:0]{deinterlace}null[s0]"]
        for i, v in enumerate(variants):
            chains.append(f"[s{i}]scale={v.width}:{v.height},format=yuv420p[v{i}]")
        cmd += ["-filter_complex", ";".join(chains)]
    alternates = audio_renditions(info)
    for i, v in enumerate(variants):
        os.makedirs(os.path.join(out_dir, os.path.dirname(v.playlist)), exist_ok=True)
        if info.has_video:
            cmd += ["-map", f"[v{i}]"]
            cmd += ["-c:v", "libx264", "-preset", X264_PRESET, "-profile:v", "high"]
            cmd += ["-b:v", f"{v.video_kbps}k", "-maxrate", f"{v.video_kbps * 3 // 2}k"]
            cmd += ["-bufsize", f"{v.video_kbps * 2}k", "-sc_threshold", "0"]
            cmd += ["-force_key_frames", f"expr:gte(t,n_forced*{KEYFRAME_SECONDS})"]
        if info.has_audio:
            # The MP4 keeps the default track (the first, unless another is marked default).
            cmd += ["-map", f"0:a:{info.default_audio}"]
            cmd += ["-c:a", "aac", "-b:a", f"{v.audio_kbps}k", "-ac", "2"]
        segments = os.path.join(out_dir, os.path.dirname(v.playlist), "seg_%04d.ts")
        # With alternate audio renditions a video variant's playlist carries its video only.
        select = ":select=v" if alternates and info.has_video else ""
        tee = (
            f"[f=mp4:movflags=+faststart]{_tee_escape(os.path.join(out_dir, v.mp4))}|"
            f"[f=hls:hls_time={SEGMENT_SECONDS}:hls_playlist_type=vod:hls_list_size=0{select}:"
            f"hls_segment_filename={_tee_escape(segments)}]{_tee_escape(os.path.join(out_dir, v.playlist))}"
        )
        cmd += ["-f", "tee", tee]
    for track in alternates:
        os.makedirs(os.path.join(out_dir, os.path.dirname(track["playlist"])), exist_ok=True)
        segments = os.path.join(out_dir, os.path.dirname(track["playlist"]), "seg_%04d.ts")
        cmd += ["-map", f"0:a:{track['index']}", "-c:a", "aac", "-b:a", f"{AUDIO_KBPS}k", "-ac", "2"]
        cmd += ["-f", "hls", "-hls_time", str(SEGMENT_SECONDS), "-hls_playlist_type", "vod"]
        cmd += ["-hls_list_size", "0", "-hls_segment_filename", segments]
        cmd += [os.path.join(out_dir, track["playlist"])]
    return cmd


def master_playlist(variants, info):
    """The HLS master playlist over the variants (URIs relative to hls/), with an
    ``EXT-X-MEDIA`` audio rendition per track when the source has several."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-INDEPENDENT-SEGMENTS"]
    alternates = audio_renditions(info)
    for track in alternates:
        attrs = ["TYPE=AUDIO", f'GROUP-ID="{AUDIO_GROUP}"']
        if track["language"]:
            attrs.append(f'LANGUAGE="{track["language"]}"')
        attrs += [f'NAME="{_quoted(track["name"])}"', f"DEFAULT={'YES' if track['default'] else 'NO'}"]
        attrs += ["AUTOSELECT=YES", 'CHANNELS="2"', f'URI="{track["playlist"].removeprefix("hls/")}"']
        lines.append("#EXT-X-MEDIA:" + ",".join(attrs))
    for v in variants:
        codecs = []
        if info.has_video:
            codecs.append("avc1.640028")
        if info.has_audio:
            codecs.append("mp4a.40.2")
        attrs = [f"BANDWIDTH={v.bandwidth}", f'CODECS="{",".join(codecs)}"']
        if v.height:
            attrs.insert(1, f"RESOLUTION={v.width}x{v.height}")
        if alternates:
            attrs.append(f'AUDIO="{AUDIO_GROUP}"')
        lines.append("#EXT-X-STREAM-INF:" + ",".join(attrs))
        if alternates and not info.has_video:
            # Audio only: the variant is the default track's rendition itself.
            default = next(t for t in alternates if t["default"])
            lines.append(default["playlist"].removeprefix("hls/"))
        else:
            lines.append(v.playlist.removeprefix("hls/"))
    return "\n".join(lines) + "\n"


_IDET = re.compile(
    r"Multi frame detection:\s*TFF:\s*(\d+)\s*BFF:\s*(\d+)\s*Progressive:\s*(\d+)\s*Undetermined:\s*(\d+)"
)


def idet_counts(path, start=0.0, frames=IDET_FRAMES, timeout=120):
    """``{"tff", "bff", "progressive", "undetermined"}``: FFmpeg's ``idet`` filter's multi-frame
    verdicts over ``frames`` frames of ``path`` from ``start`` seconds."""
    cmd = [FFMPEG, "-hide_banner", "-nostdin", "-v", "info", "-ss", f"{start:.2f}", "-i", str(path)]
    cmd += ["-map", "0:v:0", "-frames:v", str(frames), "-vf", "idet", "-an", "-f", "null", "-"]
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)  # noqa: S603
    except subprocess.TimeoutExpired:
        raise FFmpegError(f"FFmpeg's interlace detection did not finish within {timeout} s") from None
    if result.returncode != 0:
        raise FFmpegError(_tail(result.stderr) or f"FFmpeg exited with status {result.returncode}")
    found = _IDET.findall(result.stderr)
    if not found:
        raise FFmpegError("FFmpeg's interlace detection reported nothing")
    tff, bff, progressive, undetermined = (int(n) for n in found[-1])
    return {"tff": tff, "bff": bff, "progressive": progressive, "undetermined": undetermined}


def detect_interlacing(path, info):
    """Whether the video of ``path`` is interlaced and must be deinterlaced.

    A container or codec that states a field order is believed: ``tt``, ``bb``, ``tb`` or
    ``bt`` are interlaced, ``progressive`` is not. (``idet`` is not asked to overrule a stated
    "progressive": on sharp synthetic motion, such as FFmpeg's own test pattern, it reads
    most progressive frames as interlaced.) When the field order is unknown, ``idet`` reads a
    sample from a third of the way in, and the source counts as interlaced when most frames
    it could judge look interlaced.
    """
    if not info.has_video:
        return False
    if info.field_order:
        return info.field_order in INTERLACED_FIELD_ORDERS
    counts = idet_counts(path, start=min(info.duration / 3, 60.0))
    interlaced = counts["tff"] + counts["bff"]
    judged = interlaced + counts["progressive"]
    return bool(judged) and interlaced / judged >= IDET_INTERLACED_SHARE


def poster_time(duration):
    """Where the poster frame is taken: a third of the way in (past black openings), at most 5 s."""
    return min(duration / 3, 5.0)


def poster_command(source, out_path, at=0.0):
    """Grab the frame at ``at`` seconds as a JPEG."""
    return [
        FFMPEG,
        "-hide_banner",
        "-nostdin",
        "-y",
        "-v",
        "error",
        "-ss",
        f"{at:.2f}",
        "-i",
        str(source),
    ] + [
        "-frames:v",
        "1",
        "-q:v",
        "3",
        str(out_path),
    ]


# --- Seek previews: small frames tiled into JPEG sprites, mapped by a WebVTT file -------------
THUMB_WIDTH = 160  # CSS pixels of a preview above the seek bar
THUMB_COLUMNS = 10
THUMB_ROWS = 10  # a sheet holds 100 frames: 1600x900 for 16:9, about 100 kB
THUMB_MAX = 300  # frames for the whole item, however long: 3 sheets at most
THUMBS_DIR = "thumbs"
THUMBS_VTT = f"{THUMBS_DIR}/thumbnails.vtt"


@dataclass
class ThumbnailPlan:
    interval: float  # seconds between frames
    count: int  # frames
    width: int
    height: int
    columns: int = THUMB_COLUMNS
    rows: int = THUMB_ROWS

    @property
    def per_sheet(self):
        return self.columns * self.rows


def thumbnail_plan(duration, width, height):
    """A frame every 2 s for short items, spaced further apart so an item has at most
    ``THUMB_MAX`` (every 36 s for a 3-hour lecture), always a whole number of key-frame intervals."""
    # A multiple of the key-frame interval, where the renditions have their key frames.
    interval = float(KEYFRAME_SECONDS * max(1, math.ceil(duration / THUMB_MAX / KEYFRAME_SECONDS)))
    count = max(1, math.ceil(duration / interval))
    return ThumbnailPlan(interval, count, THUMB_WIDTH, _even(THUMB_WIDTH * height / width))


def thumbnails_command(video, out_dir, plan):
    """One FFmpeg run that tiles a frame every ``plan.interval`` seconds into sheets
    (``thumbs/sprite-001.jpg``…). It reads a rendition, decoding its key frames only
    (``-skip_frame nokey``): the ladder forces one every 2 s, so this costs little
    next to the encode."""
    os.makedirs(os.path.join(out_dir, THUMBS_DIR), exist_ok=True)
    # The first key frame, then the first at least an interval after the last one taken (the
    # fps filter gives nothing for a clip with a single key frame).
    every = f"select='isnan(prev_selected_t)+gte(t-prev_selected_t,{plan.interval - KEYFRAME_SECONDS / 4:g})'"
    tile = f"{every},scale={plan.width}:{plan.height},tile={plan.columns}x{plan.rows}"
    return [
        *(FFMPEG, "-hide_banner", "-nostdin", "-y", "-v", "error", "-skip_frame", "nokey"),
        *("-i", str(video), "-an", "-sn", "-vf", tile, "-fps_mode", "passthrough", "-q:v", "5"),
        os.path.join(out_dir, THUMBS_DIR, "sprite-%03d.jpg"),
    ]


def thumbnails_vtt(plan, duration, sheets):
    """The WebVTT map of the sprites: one cue per frame, ``sprite-NNN.jpg#xywh=x,y,w,h``
    (relative to the VTT; the serving view signs them), for the ``sheets`` FFmpeg wrote."""
    lines = ["WEBVTT", ""]
    for i in range(min(plan.count, sheets * plan.per_sheet)):
        start, end = i * plan.interval, min((i + 1) * plan.interval, duration)
        if start >= duration:
            break
        sheet, cell = divmod(i, plan.per_sheet)
        row, column = divmod(cell, plan.columns)
        x, y = column * plan.width, row * plan.height
        lines += [
            f"{_vtt_time(start)} --> {_vtt_time(end)}",
            f"sprite-{sheet + 1:03d}.jpg#xywh={x},{y},{plan.width},{plan.height}",
            "",
        ]
    return "\n".join(lines)


def _vtt_time(seconds):
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    return f"{hours:02d}:{minutes:02d}:{millis // 1000:02d}.{millis % 1000:03d}"


def run(cmd, duration, on_progress=None, timeout=None, progress_interval=1.0):
    """Run an FFmpeg command, calling ``on_progress(percent)`` about once a second.

    Progress comes from ``-progress pipe:1``; stderr goes to a bounded buffer so a
    chatty FFmpeg can never fill a pipe and stall. Raises ``FFmpegError`` with the end
    of FFmpeg's error output if it fails or runs past ``timeout`` seconds. The child is
    killed if the caller is interrupted (a Celery soft time limit, for instance).
    """
    cmd = [*cmd[:1], "-progress", "pipe:1", "-stats_period", "0.5", *cmd[1:]]
    errors = deque(maxlen=40)
    proc = subprocess.Popen(  # noqa: S603
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1
    )
    drain = threading.Thread(target=lambda: errors.extend(proc.stderr), daemon=True)
    drain.start()
    started = last_report = time.monotonic()
    try:
        for line in proc.stdout:
            key, _, value = line.strip().partition("=")
            if key == "out_time_us" and value.isdigit() and duration:
                percent = min(99, int(int(value) / 1e6 / duration * 100))
                now = time.monotonic()
                if on_progress and now - last_report >= progress_interval:
                    last_report = now
                    on_progress(percent)
            if timeout and time.monotonic() - started > timeout:
                raise FFmpegError(f"FFmpeg took longer than {timeout:.0f} s and was stopped.")
        proc.wait(timeout=max(5, timeout or 60))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        drain.join(timeout=5)
    if proc.returncode != 0:
        raise FFmpegError(_tail("".join(errors)) or f"FFmpeg exited with status {proc.returncode}")


def run_simple(cmd, timeout=60):
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)  # noqa: S603
    except subprocess.TimeoutExpired:
        raise FFmpegError(f"FFmpeg did not finish within {timeout} s") from None
    if result.returncode != 0:
        raise FFmpegError(_tail(result.stderr) or f"FFmpeg exited with status {result.returncode}")


def duration_of(path, timeout=60):
    """The playable length of an encoded file, in seconds (the longest of its streams)."""
    info = probe(path, timeout=timeout)
    streams = [_number(s.get("duration")) for s in info.raw.get("streams", [])]
    return max([d for d in streams if d] or [info.duration])


def shortfall_tolerance(duration):
    """How much shorter than its source an encode may be: a second, or 1% of a long file."""
    return max(1.0, duration * 0.01)


def _quoted(text):
    # An HLS quoted-string holds no double quote, carriage return or line feed.
    return " ".join(str(text).replace('"', "'").split())


def _tail(text, lines=8, limit=1500):
    kept = [line for line in text.strip().splitlines() if line.strip()][-lines:]
    return "\n".join(kept)[-limit:]


def _number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _even(value):
    return max(2, round(value / 2) * 2)


def _even_down(value):
    return max(2, int(value) // 2 * 2)


def _rotation(stream):
    for side in stream.get("side_data_list", []) or []:
        if "rotation" in side:
            return abs(int(side["rotation"])) % 360
    return abs(int(_number(stream.get("tags", {}).get("rotate")) or 0)) % 360


def _tee_escape(path):
    # The tee muxer splits on | and [ ] and treats : as an option separator.
    for char in "\\:|[]":
        path = path.replace(char, "\\" + char)
    return path
