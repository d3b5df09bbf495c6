"""FFmpeg and ffprobe: probing a file and encoding every rendition in one run.

Nothing here touches the database or Django's storage; the task module does that,
and the benchmark reuses ``ladder_command`` to time the bare FFmpeg run.
"""

import json
import math
import os
import subprocess
import threading
import time
from collections import deque
from dataclasses import dataclass, field, fields

FFMPEG = "ffmpeg"  # from Debian (scripts/system-deps.sh), on PATH
FFPROBE = "ffprobe"

# The ladder: (height, video kbit/s, audio kbit/s). A source is never scaled up, so a
# 360p source gets the 360p rung only and a 240p one a single rung at its own size. The
# 1080p rung is for sources of 1080p and more (code in a screencast is unreadable at 720p).
LADDER = [(360, 800, 96), (720, 2500, 128), (1080, 5000, 128)]
AUDIO_KBPS = 128
SEGMENT_SECONDS = 2
X264_PRESET = "veryfast"


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
    raw: dict = field(default_factory=dict, repr=False)

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
            [FFPROBE, "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)],
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
    return Probe(
        duration=duration,
        has_video=video is not None,
        has_audio=audio is not None,
        width=width,
        height=height,
        video_codec=(video or {}).get("codec_name", ""),
        audio_codec=(audio or {}).get("codec_name", ""),
        bitrate=int(_number(fmt.get("bit_rate")) or 0) or None,
        raw=data,
    )


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
        chains = [f"[0:v:0]split={n}{labels}" if n > 1 else "[0:v:0]null[s0]"]
        for i, v in enumerate(variants):
            chains.append(f"[s{i}]scale={v.width}:{v.height},format=yuv420p[v{i}]")
        cmd += ["-filter_complex", ";".join(chains)]
    for i, v in enumerate(variants):
        os.makedirs(os.path.join(out_dir, os.path.dirname(v.playlist)), exist_ok=True)
        if info.has_video:
            cmd += ["-map", f"[v{i}]"]
            cmd += ["-c:v", "libx264", "-preset", X264_PRESET, "-profile:v", "high"]
            cmd += ["-b:v", f"{v.video_kbps}k", "-maxrate", f"{v.video_kbps * 3 // 2}k"]
            cmd += ["-bufsize", f"{v.video_kbps * 2}k", "-sc_threshold", "0"]
            cmd += ["-force_key_frames", f"expr:gte(t,n_forced*{SEGMENT_SECONDS})"]
        if info.has_audio:
            cmd += ["-map", "0:a:0", "-c:a", "aac", "-b:a", f"{v.audio_kbps}k", "-ac", "2"]
        segments = os.path.join(out_dir, os.path.dirname(v.playlist), "seg_%04d.ts")
        tee = (
            f"[f=mp4:movflags=+faststart]{_tee_escape(os.path.join(out_dir, v.mp4))}|"
            f"[f=hls:hls_time={SEGMENT_SECONDS}:hls_playlist_type=vod:hls_list_size=0:"
            f"hls_segment_filename={_tee_escape(segments)}]{_tee_escape(os.path.join(out_dir, v.playlist))}"
        )
        cmd += ["-f", "tee", tee]
    return cmd


def master_playlist(variants, info):
    """The HLS master playlist over the variants (URIs relative to hls/)."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-INDEPENDENT-SEGMENTS"]
    for v in variants:
        codecs = []
        if info.has_video:
            codecs.append("avc1.640028")
        if info.has_audio:
            codecs.append("mp4a.40.2")
        attrs = [f"BANDWIDTH={v.bandwidth}", f'CODECS="{",".join(codecs)}"']
        if v.height:
            attrs.insert(1, f"RESOLUTION={v.width}x{v.height}")
        lines.append("#EXT-X-STREAM-INF:" + ",".join(attrs))
        lines.append(v.playlist.removeprefix("hls/"))
    return "\n".join(lines) + "\n"


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
    ``THUMB_MAX`` (every 36 s for a 3-hour lecture), always a whole number of segments."""
    # A multiple of the segment length, where the renditions have their key frames.
    interval = float(SEGMENT_SECONDS * max(1, math.ceil(duration / THUMB_MAX / SEGMENT_SECONDS)))
    count = max(1, math.ceil(duration / interval))
    return ThumbnailPlan(interval, count, THUMB_WIDTH, _even(THUMB_WIDTH * height / width))


def thumbnails_command(video, out_dir, plan):
    """One FFmpeg run that tiles a frame every ``plan.interval`` seconds into sheets
    (``thumbs/sprite-001.jpg``…). It reads a rendition, decoding its key frames only
    (``-skip_frame nokey``): the ladder forces one every segment, so this costs little
    next to the encode."""
    os.makedirs(os.path.join(out_dir, THUMBS_DIR), exist_ok=True)
    # The first key frame, then the first at least an interval after the last one taken (the
    # fps filter gives nothing for a clip with a single key frame).
    every = f"select='isnan(prev_selected_t)+gte(t-prev_selected_t,{plan.interval - SEGMENT_SECONDS / 4:g})'"
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
