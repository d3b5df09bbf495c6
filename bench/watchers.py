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

import asyncio
import contextlib
import json
import os
import platform
import re
import resource
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

os.environ.setdefault("BENCH_SCALE", "0")
os.environ.setdefault("BENCH_DATABASE", "ringlet_watchers")
sys.path.insert(0, str(Path(__file__).resolve().parent))

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
# Issue 21: p99 under 250 ms for segments and progress; the knee is the most watchers that hold it.
P99_TARGET_MS = 250
# Students arriving per second: each one first loads a lesson page through Python.
RAMP_PER_SECOND = float(os.environ.get("WATCH_RAMP_PER_SECOND", "10"))
EDGE = os.environ.get("WATCH_EDGE", "1") != "0"
RECORD = os.environ.get("WATCH_RECORD", "1") != "0"
# WATCH_TRACE=<file>: every request's start (monotonic s), kind, ms and status, as JSON lines.
TRACE = [] if os.environ.get("WATCH_TRACE") else None

SEED = r"""
import json
from django.contrib.auth import get_user_model, SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
from django.contrib.sessions.backends.cached_db import SessionStore
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from courses.models import CoursePage
from courses.models import Enrollment
from django.contrib.auth.hashers import make_password
from django.utils import timezone
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
User = get_user_model()
# Accounts in bulk, with no password to hash (a session is made for each below) and their
# enrollment confirmed, so that neither the hasher nor a thousand confirmation emails (the
# recovery sweep would find unconfirmed ones) run during the measurement.
names = [f"watcher-{{i}}" for i in range(WATCHERS)]
have = set(User.objects.filter(username__in=names).values_list("username", flat=True))
User.objects.bulk_create(
    [User(username=n, email=f"{{n}}@example.com", password=make_password(None))
     for n in names if n not in have],
    batch_size=1000,
)
users = {{u.username: u for u in User.objects.filter(username__in=names)}}
enrolled = set(Enrollment.objects.filter(course=course).values_list("user_id", flat=True))
now = timezone.now()
Enrollment.objects.bulk_create(
    [Enrollment(user=u, course=course, confirmation_sent_at=now)
     for u in users.values() if u.pk not in enrolled],
    batch_size=1000,
)
sessions = []
for name in names:
    user = users[name]
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    sessions.append(session.session_key)
print("WATCH-JSON " + json.dumps({{"lesson": lesson.url, "sessions": sessions}}))
"""


free_port = bench.free_port


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


class Response:
    def __init__(self, url, status, headers, body):
        self.url, self.status_code, self.headers, self.body = url, status, headers, body

    @property
    def text(self):
        return self.body.decode()


class Connection:
    """One student's keep-alive HTTP/1.1 connection (asyncio streams), as a browser keeps one to
    the site. A minimal client: requests with a thread per student cost about 2.5 ms of CPU a
    request here, which made the simulated students, not the servers, the knee on 2 cores."""

    def __init__(self, base, cookies):
        parsed = urllib.parse.urlsplit(base)
        self.host, self.port, self.cookies = parsed.hostname, parsed.port, cookies
        self.reader = self.writer = None

    async def close(self):
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def request(self, method, url, body=b"", headers=None):
        for attempt in range(2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            try:
                return await self._exchange(method, url, body, headers or {})
            except (ConnectionError, asyncio.IncompleteReadError):
                # The server closed an idle keep-alive connection (gunicorn's after 2 s):
                # a browser opens another and asks again.
                await self.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    async def _exchange(self, method, url, body, headers):
        parts = urllib.parse.urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        lines = [f"{method} {target} HTTP/1.1", f"Host: {self.host}:{self.port}", f"Cookie: {cookie}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionResetError("closed before answering")
        status = int(status_line.split()[1])
        answer = {}
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
            answer[name] = value
        if "content-length" in answer:
            data = await self.reader.readexactly(int(answer["content-length"]))
        elif answer.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while size := int((await self.reader.readline()).split(b";")[0], 16):
                chunks.append(await self.reader.readexactly(size))
                await self.reader.readline()
            while await self.reader.readline() not in (b"\r\n", b""):
                pass
            data = b"".join(chunks)
        else:
            data = await self.reader.read()
            await self.close()
        if answer.get("connection", "").lower() == "close":
            await self.close()
        return Response(url, status, answer, data)


class Watcher:
    def __init__(self, base, lesson, session, segment, start_at, stats):
        self.base, self.lesson, self.segment = base, lesson, segment
        self.start_at, self.stats = start_at, stats
        self.leave_after = 0.0
        self.http = Connection(base, {"sessionid": session})

    @property
    def stop_at(self):
        """When this student leaves: a little after the run ends (``stats["leave"]``)."""
        leave = self.stats["leave"]
        return float("inf") if leave is None else leave + self.leave_after

    def record(self, kind, started, response):
        elapsed = (time.monotonic() - started) * 1000
        # Latencies count inside the measured window (every student watching), the pages of
        # the ramp always; errors always.
        if self.stats.get("open") or kind == "lesson page":
            self.stats.setdefault(kind, []).append(elapsed)
        if TRACE is not None:
            TRACE.append((round(started, 3), kind, round(elapsed, 1), getattr(response, "status_code", 0)))
        if kind == "segment" and response is not None and response.status_code == 410:
            # Its signed URL expired (MEDIA_SIGNED_URL_SECONDS): the player asks for the
            # playlist again, as below; not an error a student sees.
            self.stats["renewals"] = self.stats.get("renewals", 0) + 1
        elif response is None or response.status_code >= 300:
            self.stats["errors"].append((kind, getattr(response, "status_code", "no answer")))

    async def send(self, kind, method, url, body=b"", headers=None):
        started = time.monotonic()
        try:
            response = await asyncio.wait_for(self.http.request(method, url, body, headers), 30)
            for _ in range(3):  # a redirect (a playlist in a store), followed as a player does
                if response.status_code not in (301, 302, 303, 307) or "location" not in response.headers:
                    break
                location = urllib.parse.urljoin(url, response.headers["location"])
                response = await asyncio.wait_for(self.http.request("GET", location), 30)
        except (OSError, ValueError, TimeoutError, asyncio.IncompleteReadError):
            await self.http.close()
            response = None
        self.record(kind, started, response)
        return response

    async def run(self):
        await asyncio.sleep(max(0.0, self.start_at - time.monotonic()))
        try:
            await self.watch()
        finally:
            await self.http.close()

    async def watch(self):
        page = await self.send("lesson page", "GET", self.base + self.lesson)
        if page is None or page.status_code != 200:
            return
        text = page.text
        attrs = dict(ATTR.findall(PROGRESS_SCRIPT.search(text).group(0)))
        # Production marks the CSRF cookie Secure; over plain HTTP it is sent back by hand.
        csrf = self.http.cookies.get(CSRF_COOKIE, attrs.get("csrf", ""))
        self.http.cookies[CSRF_COOKIE] = csrf
        media = int(MEDIA_ID.search(text).group(1))
        master_url = self.base + HLS.search(text).group(1).replace("&amp;", "&")
        segments = await self.playlists(master_url)
        if not segments:
            return
        interval = float(attrs.get("interval", OLD_INTERVAL * 1000)) / 1000
        self.stats["interval"] = interval
        started = time.monotonic()
        next_segment, next_report, index = started, started + interval, 0
        while True:
            now = time.monotonic()
            if now >= self.stop_at:
                break
            if now >= next_segment:
                answer = await self.send("segment", "GET", segments[index % len(segments)])
                if answer is not None and answer.status_code == 410:
                    segments = await self.playlists(master_url) or segments
                    await self.send("segment", "GET", segments[index % len(segments)])
                index += 1
                next_segment += self.segment
            if now >= next_report:
                await self.report(attrs, media, now - started)
                next_report += interval
            await asyncio.sleep(
                max(0.0, min(next_segment, next_report, self.stop_at, now + 1) - time.monotonic())
            )
        await self.report(attrs, media, time.monotonic() - started, event="pause")

    async def playlists(self, master_url):
        """The master playlist (permission-checked, signs the rest), its first variant, and the
        variant's segment URLs."""
        master = await self.send("playlist", "GET", master_url)
        if master is None or master.status_code != 200:
            return None
        variant_uri = next(line for line in master.text.splitlines() if line and not line.startswith("#"))
        variant = await self.send("playlist", "GET", urllib.parse.urljoin(master.url, variant_uri))
        if variant is None or variant.status_code != 200:
            return None
        return [
            urllib.parse.urljoin(variant.url, line)
            for line in variant.text.splitlines()
            if line and not line.startswith("#")
        ]

    async def report(self, attrs, media, position, event=None):
        payload = {
            "lesson": int(attrs["lesson"]),
            "media": media,
            "position": round(position, 3),
            "duration": 3600,
        }
        if event:
            payload["event"] = event
        url = self.base + attrs["endpoint"]
        if "token" in attrs:  # issue 21's progress.js: a form, as navigator.sendBeacon sends it
            payload.update(csrfmiddlewaretoken=attrs["csrf"], token=attrs["token"])
            body = urllib.parse.urlencode(payload).encode()
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
        else:
            body = json.dumps(payload).encode()
            headers = {"Content-Type": "application/json", "X-CSRFToken": attrs["csrf"]}
        await self.send("progress", "POST", url, body, headers)


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))] if values else 0.0


def start_worker(env):
    return subprocess.Popen(  # noqa: S603
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


async def staircase(base, data, steps, segment, roots, results):
    """Students watching, in steps: ``steps`` is ``[(watchers, minutes), ...]``; each step adds
    students (arriving at ``RAMP_PER_SECOND``) to those already watching, then measures a window of
    ``minutes`` with all of them watching. Stops after the first step past the target, as the
    knee is then known. Appends each step's figures to ``results``."""
    stats = {"errors": [], "leave": None}
    tasks, watching = [], 0
    for watchers, minutes in steps:
        now = time.monotonic()
        added = watchers - watching
        errors_before = len(stats["errors"])
        stats["lesson page"] = []
        # Students arrive over the ramp (each first loads a student page, the costliest request
        # of the scenario); the window is measured once all of them watch.
        ramp = max(max(OLD_INTERVAL, segment) * 2, added / RAMP_PER_SECOND)
        for k in range(added):
            i = watching + k
            arrive = now + ramp * k / added
            watcher = Watcher(base, data["lesson"], data["sessions"][i], segment, arrive, stats)
            # When the run ends, students leave (pause, then close) as spread out as they came.
            watcher.leave_after = 10.0 * i / max(1, steps[-1][0])
            tasks.append(asyncio.create_task(watcher.run()))
        watching = watchers
        await asyncio.sleep(ramp + 1)
        meter = CpuMeter(roots, bench.DATABASE)
        load_before = bench.load()
        client_before = resource.getrusage(resource.RUSAGE_SELF)
        stats["segment"], stats["progress"] = [], []
        stats["open"] = True
        meter.start()
        window = time.monotonic()
        await asyncio.sleep(minutes * 60)
        stats["open"] = False
        seg, prog = stats["segment"], stats["progress"]
        errors = stats["errors"][errors_before:]
        seconds = time.monotonic() - window
        parts = meter.total()
        client_after = resource.getrusage(resource.RUSAGE_SELF)
        client = sum(getattr(client_after, f) - getattr(client_before, f) for f in ("ru_utime", "ru_stime"))
        total = sum(parts.values())
        result = {
            "watchers": watchers,
            "minutes": seconds / 60,
            "segment": segment,
            "interval": stats.get("interval", 0),
            "segments": len(seg),
            "renewals": stats.get("renewals", 0),
            "reports": len(prog),
            "errors": len(errors),
            "error_sample": errors[:10],
            "segment_p50": statistics.median(seg or [0]),
            "segment_p99": percentile(seg, 99),
            "progress_p50": statistics.median(prog or [0]),
            "progress_p99": percentile(prog, 99),
            "page_p99": percentile(stats["lesson page"], 99),
            "cpu": total,
            "parts": parts,
            "client": client,
            "per_watcher_minute": total * 1000 / (watchers * seconds / 60),
            "load": f"{load_before} → {bench.load()}",
        }
        results.append(result)
        print("\n" + HEADER + "\n" + row(result), flush=True)
        if result["error_sample"]:
            print("errors (first 10):", result["error_sample"], flush=True)
        if not passes(result):
            break
    stats["leave"] = time.monotonic()
    errors_before = len(stats["errors"])
    await asyncio.gather(*tasks)
    if len(stats["errors"]) > errors_before:
        print("errors as the students left:", stats["errors"][errors_before:][:10], flush=True)


def passes(result):
    return result["errors"] == 0 and max(result["segment_p99"], result["progress_p99"]) < P99_TARGET_MS


HEADER = (
    "| watchers | minutes | segment s | progress every s | segments (playlists renewed) | "
    "progress reports | errors | "
    "p50/p99 segment ms | p50/p99 progress ms | p99 lesson page ms (ramp) | server CPU s (by process) | "
    "CPU ms per watcher-minute | client CPU s | load |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def row(r):
    parts = ", ".join(f"{k} {v:.1f}" for k, v in sorted(r["parts"].items()))
    return (
        f"| {r['watchers']} | {r['minutes']:.2f} | {r['segment']:g} | {r['interval']:g} | "
        f"{r['segments']} ({r['renewals']}) | "
        f"{r['reports']} | {r['errors']} | {r['segment_p50']:.1f}/{r['segment_p99']:.1f} | "
        f"{r['progress_p50']:.1f}/{r['progress_p99']:.1f} | {r['page_p99']:.0f} | {r['cpu']:.1f} ({parts}) | "
        f"{r['per_watcher_minute']:.0f} | {r['client']:.1f} | {r['load']} |"
    )


def knee(results):
    """The most watchers whose step kept p99 under the target for segments and reports, with no error."""
    good = [r["watchers"] for r in results if passes(r)]
    return max(good) if good else None


def record(results, edge, command):
    """Appends the run to bench/RESULTS.md (what `make bench` leaves behind)."""
    found = knee(results)
    passed = next((r for r in results if r["watchers"] == found), None)
    stack = (
        "nginx edge tier (deploy/edge/nginx.conf.template, segments and the variant playlist checked "
        "and served by nginx's secure_link), gunicorn (gunicorn.conf.py, production settings), "
        if edge
        else "gunicorn alone (segments through Django), production settings, "
    )
    lines = [
        "",
        "## `make bench` watchers: students watching a lesson video "
        f"({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})",
        "",
        f"Machine: {platform.platform()}, {os.cpu_count()} cores (load average 1/5/15 min before → after "
        f"each step). Command: `{command}`. Stack: {stack}the Celery worker with beat, a redis-server of "
        "the run's own and PostgreSQL; the simulated students run on the same machine (one keep-alive "
        "connection each, asyncio; their CPU is the client column). "
        "Server CPU is every server process together (nginx, gunicorn, Celery, Redis, the run's "
        "PostgreSQL backends), polled from /proc over the measured window.",
        "",
        HEADER,
        *[row(r) for r in results],
        "",
        f"Knee (most watchers with 0 errors and p99 under {P99_TARGET_MS} ms for segments and progress): "
        + (f"**{found}**" if found else "none of the steps")
        + (
            f"; at {found}: {passed['per_watcher_minute']:.0f} ms of server CPU per watcher-minute."
            if passed
            else "."
        ),
        "",
    ]
    with (bench.BASE / "bench" / "RESULTS.md").open("a") as out:
        out.write("\n".join(lines))


def main():
    resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],) * 2)
    minutes = float(sys.argv[2]) if len(sys.argv) > 2 else 2
    # "1000:5,1500,2000": 1,000 watchers for 5 minutes, then 1,500 and 2,000 for `minutes` each.
    steps = []
    for step in (sys.argv[1] if len(sys.argv) > 1 else "60").split(","):
        count, _, step_minutes = step.partition(":")
        steps.append((int(count), float(step_minutes or minutes)))
    segment = float(sys.argv[3]) if len(sys.argv) > 3 else 2
    # The production-like stack has the edge tier in front; a checkout from before it (the
    # "before" of issue 21, run from a copy of this file) has no portal/edge.py.
    edge = EDGE and (bench.BASE / "portal" / "edge.py").exists()
    redis_port = free_port()
    redis = subprocess.Popen(  # noqa: S603
        ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", ""],  # noqa: S607
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    bench.REDIS = f"redis://127.0.0.1:{redis_port}/0"
    database = bench.fresh_database(bench.DATABASE)
    processes, results, folder = [], [], None
    try:
        bench.seed(database)
        dev = bench.ringlet_env(database, "portal.settings.dev")
        most = max(n for n, _ in steps)
        script = SEED.format(watchers=most, segment=segment, rate=SEGMENT_BYTES_PER_SECOND)
        out = bench.run([bench.BIN / "python", "manage.py", "shell", "-c", script], env=dev).stdout
        data = json.loads(out.split("WATCH-JSON ", 1)[1].splitlines()[0])
        env = bench.ringlet_env(database)
        port = free_port()
        if edge:
            import edge as edge_bench  # bench/edge.py: the same nginx as `make bench-edge`

            key = secrets.token_urlsafe(32)
            env.update(MEDIA_SIGNED_AT_EDGE="1", EDGE_SIGNING_KEY=key)
            port = bench.RINGLET_PORT
        # Every server's errors are kept (var/bench-logs/), so an error counted here can be read.
        logs = bench.BASE / "var" / "bench-logs"
        logs.mkdir(parents=True, exist_ok=True)
        server_log = logs / "watchers-gunicorn.log"
        server = bench.serve(env, bench.BASE, port, "portal.wsgi:application", [], log=server_log)
        processes.append(server)
        worker = start_worker(env)
        processes.append(worker)
        roots = {"gunicorn": server.pid, "celery": worker.pid, "redis": redis.pid}
        base = f"http://127.0.0.1:{port}"
        if edge:
            folder = Path(tempfile.mkdtemp(prefix="ringlet-bench-watchers-"))
            nginx = edge_bench.start_edge(folder, key, log=logs / "watchers-nginx.log")
            processes.append(nginx)
            roots["nginx"] = nginx.pid
            base = f"http://127.0.0.1:{edge_bench.EDGE_PORT}"
        time.sleep(5)
        asyncio.run(staircase(base, data, steps, segment, roots, results))
    finally:
        for process in processes:
            bench.stop(process)
        redis.terminate()
        redis.wait(10)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
    if TRACE is not None:
        Path(os.environ["WATCH_TRACE"]).write_text("\n".join(json.dumps(t) for t in TRACE) + "\n")
    if RECORD:
        record(results, edge, "BENCH_SCALE=0 .venv/bin/python bench/watchers.py " + " ".join(sys.argv[1:]))
    found = knee(results)
    print(f"\nknee: {found} watchers (p99 under {P99_TARGET_MS} ms, no errors)")


if __name__ == "__main__":
    main()
