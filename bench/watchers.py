"""Students watching a lesson video: server CPU per watcher-minute (`make bench-watchers`).

Each simulated student (a thread with its own account, enrolled, logged in) loads the lesson
page, asks for the HLS master playlist (the permission-checked view) and its variant playlist
(signed), then fetches the next segment every segment-length seconds and sends its position as
the page's progress script does: the cadence and the format are read from the page
(``data-interval`` and ``data-token`` on lessons/progress.js' tag; a page without them gets what
main sent before issue 21: JSON with X-CSRFToken every 5 s). At the end each one pauses (one
more report), as a player does.

Server CPU is every server process together, sampled every second from /proc: gunicorn's master
and workers (recycled ones included up to their last sample), the Celery worker with its embedded
beat, a redis-server of the run's own, and the PostgreSQL backends connected to the run's
database. Students start spread over the first cadence; the measured window starts once all of
them watch.

    BENCH_SCALE=0 .venv/bin/python bench/watchers.py [watchers] [minutes] [segment seconds]

Environment as bench/run.py (BENCH_DATABASE_SERVER, BENCH_DATABASE, default ringlet_watchers).
Run it from another checkout's bench/ folder (a copy of this file) to measure that code.
"""

import contextlib
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

os.environ.setdefault("BENCH_SCALE", "0")
os.environ.setdefault("BENCH_DATABASE", "ringlet_watchers")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import requests
import run as bench

TICK = os.sysconf("SC_CLK_TCK")
PSQL = [shutil.which("psql") or "psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-At"]
PROGRESS_SCRIPT = re.compile(r"<script[^>]*lessons/progress[^>]*>")
ATTR = re.compile(r'data-([a-z-]+)="([^"]*)"')
HLS = re.compile(r'data-hls="([^"]+)"')
MEDIA_ID = re.compile(r'data-media-id="(\d+)"')
CSRF_COOKIE = "csrftoken"
# What main's progress.js sent (issue 21's "before"): a heartbeat every 5 s.
OLD_INTERVAL = 5.0
SEGMENT_BYTES_PER_SECOND = 100_000  # an 800 kbit/s 360p rendition

SEED = r"""
import json
from django.contrib.auth import get_user_model, SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
from django.contrib.sessions.backends.cached_db import SessionStore
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from courses.models import CoursePage
from courses.services import enroll
from media_library.models import Rendition
from wagtailmedia.models import get_media_model

WATCHERS, SEGMENT = {watchers}, {segment}
course = CoursePage.objects.get(title__startswith="Bench ")
lesson = list(course.get_children().live().specific())[2]
Media = get_media_model()
media = Media.objects.filter(title="Watch clip").first()
if media is None:
    media = Media.objects.create(title="Watch clip", type="video",
                                 file=ContentFile(b"x", name="w.mp4"), duration=3600)
    media.status, media.version = "ready", "w1"
    media.save()
prefix = media.version_prefix()
count = int(3600 / SEGMENT)
old = default_storage.listdir(prefix + "/hls/360p")[1] if default_storage.exists(prefix + "/hls/360p") else []
for name in old:
    default_storage.delete(prefix + "/hls/360p/" + name)
for i in range(8):
    data = ContentFile(b"\x47" * int(SEGMENT * {rate}))
    default_storage.save(f"{{prefix}}/hls/360p/seg_{{i:04d}}.ts", data)
lines = ["#EXTM3U", "#EXT-X-VERSION:3", f"#EXT-X-TARGETDURATION:{{SEGMENT}}", "#EXT-X-PLAYLIST-TYPE:VOD"]
for i in range(count):
    lines += [f"#EXTINF:{{SEGMENT:.3f}},", f"seg_{{i % 8:04d}}.ts"]
lines.append("#EXT-X-ENDLIST")
MASTER = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360\n360p/index.m3u8\n"
for name, text in (("hls/360p/index.m3u8", "\n".join(lines) + "\n"), ("hls/master.m3u8", MASTER)):
    if default_storage.exists(prefix + "/" + name):
        default_storage.delete(prefix + "/" + name)
    default_storage.save(prefix + "/" + name, ContentFile(text.encode()))
Rendition.objects.get_or_create(media=media, version="w1", path="hls/master.m3u8",
                                defaults={{"kind": "hls", "label": "master"}})
if media.pk not in lesson.media_ids():
    lesson.body = [("video", {{"video": media, "caption": "", "transcript": ""}})]
    lesson.save_revision().publish()
users = get_user_model().objects
sessions = []
for i in range(WATCHERS):
    user = users.filter(username=f"watcher-{{i}}").first()
    if user is None:
        user = users.create_user(f"watcher-{{i}}", f"watcher-{{i}}@example.com", "pw")
        enroll(user, course)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    sessions.append(session.session_key)
print("WATCH-JSON " + json.dumps({{"lesson": lesson.url, "sessions": sessions}}))
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICK


def descendants(pid):
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        children = Path(f"/proc/{current}/task/{current}/children")
        with contextlib.suppress(OSError):
            todo += [int(c) for c in children.read_text().split()]
    return out


class CpuMeter:
    """Polls the CPU time of every server process once a second; ``total()`` is what they used
    since ``start()`` (processes born later count from zero; dead ones up to their last poll)."""

    def __init__(self, roots, database):
        self.roots, self.database = roots, database
        self.base, self.last, self.parts = {}, {}, {}
        self.stop_event = threading.Event()

    def pids(self):
        found = {}
        for name, root in self.roots.items():
            for pid in descendants(root):
                found[pid] = name
        out = subprocess.run(  # noqa: S603
            PSQL + ["-v", f"db={self.database}"],
            input="select pid from pg_stat_activity where datname = :'db' and pid <> pg_backend_pid();",
            capture_output=True,
            text=True,
        ).stdout
        for line in out.split():
            found[int(line)] = "postgresql"
        return found

    def poll(self, baseline=False):
        for pid, name in self.pids().items():
            value = cpu_seconds(pid)
            if value is None:
                continue
            if baseline:
                self.base[pid] = value
            else:
                self.base.setdefault(pid, 0.0)
            self.last[pid] = value
            self.parts[pid] = name

    def start(self):
        self.poll(baseline=True)
        threading.Thread(target=self._loop, daemon=True).start()

    def _loop(self):
        while not self.stop_event.wait(1):
            self.poll()

    def total(self):
        self.stop_event.set()
        self.poll()
        by_part = {}
        for pid, value in self.last.items():
            by_part[self.parts[pid]] = by_part.get(self.parts[pid], 0) + value - self.base[pid]
        return by_part


class Watcher(threading.Thread):
    def __init__(self, base, lesson, session, segment, start_at, stop_at, stats):
        super().__init__(daemon=True)
        self.base, self.lesson, self.segment = base, lesson, segment
        self.start_at, self.stop_at, self.stats = start_at, stop_at, stats
        self.http = requests.Session()
        self.http.cookies.set("sessionid", session)

    def record(self, kind, started, response, ok=None):
        elapsed = (time.monotonic() - started) * 1000
        good = response is not None and (response.status_code < 300 if ok is None else ok)
        with self.stats["lock"]:
            self.stats.setdefault(kind, []).append(elapsed)
            if not good:
                self.stats["errors"].append((kind, getattr(response, "status_code", "no answer")))

    def get(self, kind, url):
        started = time.monotonic()
        try:
            response = self.http.get(url, timeout=30)
        except requests.RequestException:
            response = None
        self.record(kind, started, response)
        return response

    def run(self):
        time.sleep(max(0.0, self.start_at - time.monotonic()))
        page = self.get("lesson page", self.base + self.lesson)
        if page is None or page.status_code != 200:
            return
        tag = PROGRESS_SCRIPT.search(page.text)
        attrs = dict(ATTR.findall(tag.group(0)))
        csrf = page.cookies.get(CSRF_COOKIE) or self.http.cookies.get(CSRF_COOKIE)
        # Production marks the CSRF cookie Secure; over plain HTTP it is sent back by hand.
        self.http.cookies.set(CSRF_COOKIE, csrf)
        media = int(MEDIA_ID.search(page.text).group(1))
        master = self.get("playlist", self.base + HLS.search(page.text).group(1).replace("&amp;", "&"))
        variant_uri = next(line for line in master.text.splitlines() if line and not line.startswith("#"))
        variant = self.get("playlist", urllib.parse.urljoin(master.url, variant_uri))
        segments = [
            urllib.parse.urljoin(variant.url, line)
            for line in variant.text.splitlines()
            if line and not line.startswith("#")
        ]
        interval = float(attrs.get("interval", OLD_INTERVAL * 1000)) / 1000
        self.stats["interval"] = interval
        started = time.monotonic()
        next_segment, next_report, index = started, started + interval, 0
        while True:
            now = time.monotonic()
            if now >= self.stop_at:
                break
            if now >= next_segment:
                self.get("segment", segments[index % len(segments)])
                index += 1
                next_segment += self.segment
            if now >= next_report:
                self.report(attrs, csrf, media, now - started)
                next_report += interval
            time.sleep(max(0.0, min(next_segment, next_report, self.stop_at) - time.monotonic()))
        self.report(attrs, csrf, media, time.monotonic() - started, event="pause")

    def report(self, attrs, csrf, media, position, event=None):
        payload = {
            "lesson": int(attrs["lesson"]),
            "media": media,
            "position": round(position, 3),
            "duration": 3600,
        }
        if event:
            payload["event"] = event
        started = time.monotonic()
        try:
            if "token" in attrs:  # issue 21's progress.js: a form, as navigator.sendBeacon sends it
                payload.update(csrfmiddlewaretoken=attrs["csrf"], token=attrs["token"])
                response = self.http.post(self.base + attrs["endpoint"], data=payload, timeout=30)
            else:
                response = self.http.post(
                    self.base + attrs["endpoint"],
                    data=json.dumps(payload),
                    headers={"Content-Type": "application/json", "X-CSRFToken": attrs["csrf"]},
                    timeout=30,
                )
        except requests.RequestException:
            response = None
        self.record("progress", started, response)


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))] if values else 0.0


def main():
    watchers = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    minutes = float(sys.argv[2]) if len(sys.argv) > 2 else 2
    segment = float(sys.argv[3]) if len(sys.argv) > 3 else 2
    redis_port = free_port()
    redis = subprocess.Popen(  # noqa: S603
        [  # noqa: S607
            "redis-server",
            "--port",
            str(redis_port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    bench.REDIS = f"redis://127.0.0.1:{redis_port}/0"
    database = bench.fresh_database(bench.DATABASE)
    processes = []
    try:
        bench.seed(database)
        dev = bench.ringlet_env(database, "portal.settings.dev")
        script = SEED.format(watchers=watchers, segment=segment, rate=SEGMENT_BYTES_PER_SECOND)
        out = bench.run([bench.BIN / "python", "manage.py", "shell", "-c", script], env=dev).stdout
        data = json.loads(out.split("WATCH-JSON ", 1)[1].splitlines()[0])
        env = bench.ringlet_env(database)
        port = free_port()
        server = bench.serve(env, bench.BASE, port, "portal.wsgi:application", [])
        processes.append(server)
        worker = subprocess.Popen(  # noqa: S603
            [
                str(bench.BIN / "celery"),
                "-A",
                "portal",
                "worker",
                "-B",
                "-Q",
                "default",
                "-c",
                "1",
                "-l",
                "WARNING",
                "-s",
                str(bench.BASE / "var" / "watchers-beat"),
            ],
            env=env,
            cwd=bench.BASE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        processes.append(worker)
        time.sleep(5)
        base = f"http://127.0.0.1:{port}"
        stats = {"lock": threading.Lock(), "errors": []}
        now = time.monotonic()
        ramp = max(OLD_INTERVAL, segment) * 2
        stop_at = now + ramp + minutes * 60
        threads = [
            Watcher(
                base, data["lesson"], data["sessions"][i], segment, now + ramp * i / watchers, stop_at, stats
            )
            for i in range(watchers)
        ]
        for thread in threads:
            thread.start()
        time.sleep(ramp + 1)
        meter = CpuMeter({"gunicorn": server.pid, "celery": worker.pid, "redis": redis.pid}, bench.DATABASE)
        load_before = bench.load()
        with stats["lock"]:
            for kind in ("segment", "progress"):
                stats[kind] = []
        meter.start()
        window = time.monotonic()
        for thread in threads:
            thread.join()
        seconds = time.monotonic() - window
        parts = meter.total()
        load_after = bench.load()
    finally:
        for process in processes:
            bench.stop(process)
        redis.terminate()
        redis.wait(10)
    total = sum(parts.values())
    watcher_minutes = watchers * seconds / 60
    print(
        "\n| watchers | minutes | segment s | progress every s | segments | progress reports | errors | "
        "p50/p99 segment ms | p50/p99 progress ms | server CPU s (by process) | "
        "CPU ms per watcher-minute | load |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    seg, prog = stats.get("segment", []), stats.get("progress", [])
    interval = f"{stats.get('interval', 0):g}"
    print(
        f"| {watchers} | {seconds / 60:.2f} | {segment:g} | {interval} | {len(seg)} | {len(prog)} | "
        f"{len(stats['errors'])} | {statistics.median(seg or [0]):.1f}/{percentile(seg, 99):.1f} | "
        f"{statistics.median(prog or [0]):.1f}/{percentile(prog, 99):.1f} | {total:.1f} ("
        + ", ".join(f"{k} {v:.1f}" for k, v in sorted(parts.items()))
        + f") | {total * 1000 / watcher_minutes:.0f} | {load_before} → {load_after} |"
    )
    if stats["errors"]:
        print("errors (first 10):", stats["errors"][:10])


if __name__ == "__main__":
    main()
