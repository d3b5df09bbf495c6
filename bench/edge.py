"""`make bench-edge`: anonymous pages through the edge tier against the same edge serving the
same bytes as a static file, in one run; signed HLS segments at the edge against Django.

Seeds the bench database as `make bench` does (bench/run.py: BENCH_DATABASE_SERVER,
BENCH_REDIS_URL, BENCH_DURATION, BENCH_REUSE, BENCH_SCALE), serves Ringlet with gunicorn
(gunicorn.conf.py, production settings) and puts nginx in front of it with the configuration
the manifests deploy (deploy/edge/nginx.conf.template, rendered by portal/edge.py; here on
127.0.0.1 ports of its own). For each scenario: wrk's req/s, p50 and p99, and the CPU time of
every server process (nginx's master and workers, gunicorn's master and workers, children
that ended included) per request. PostgreSQL and Redis are shared with other work on this
machine and are not counted; a cache hit at the edge touches neither.
"""

import datetime
import os
import platform
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as bench

from media_library import signing
from portal import edge as edge_config

free_port = bench.free_port


_ringlet_env = bench.ringlet_env


def ringlet_env(database, settings="portal.settings.production"):
    """bench/run.py's environment, with the broker given in BENCH_BROKER_URL if set (so that a
    shared Redis server's databases are used as assigned)."""
    env = _ringlet_env(database, settings)
    if os.environ.get("BENCH_BROKER_URL"):
        env["CELERY_BROKER_URL"] = os.environ["BENCH_BROKER_URL"]
    return env


bench.ringlet_env = ringlet_env
# Ports of its own: another `make bench` may be using bench/run.py's at the same time.
EDGE_PORT, PURGE_PORT = free_port(), free_port()
bench.RINGLET_PORT = free_port()


measured = bench.measured


def start_edge(folder, key, log=None):
    """nginx with the edge's configuration in ``folder``; its error log to the file ``log`` if given."""
    values = edge_config.values_from({})
    values.update(
        EDGE_LISTEN=f"127.0.0.1:{EDGE_PORT}",
        EDGE_PURGE_LISTEN=f"127.0.0.1:{PURGE_PORT}",
        EDGE_PURGE_ALLOW="127.0.0.1",
        EDGE_UPSTREAM=f"127.0.0.1:{bench.RINGLET_PORT}",
        EDGE_RUN_DIR=str(folder / "run"),
        EDGE_CACHE_DIR=str(folder / "cache"),
        EDGE_STATIC_ROOT=str(folder / "static"),
        EDGE_MEDIA_ROOT=str(bench.BASE / "var" / "bench-media"),
        EDGE_SIGNING_KEY=key,
        EDGE_USER="root" if os.geteuid() == 0 else "",
    )
    (folder / "static").mkdir(parents=True, exist_ok=True)
    config = edge_config.write(values, folder)
    process = subprocess.Popen(  # noqa: S603
        ["/usr/sbin/nginx", "-e", str(folder / "error.log"), "-c", str(config), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=open(log, "ab") if log else subprocess.DEVNULL,  # noqa: SIM115 (the child keeps it)
        start_new_session=True,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{EDGE_PORT}/-/edge-health", timeout=2).read()
            return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("nginx did not answer")


def fetch(url):
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (local)
        return response.read(), response.headers


def main():
    database = bench.fresh_database(bench.DATABASE)
    data = bench.seed(database)
    key = secrets.token_urlsafe(32)
    folder = Path(tempfile.mkdtemp(prefix="ringlet-bench-edge-"))
    env = bench.ringlet_env(database)
    # Keep the purge backend off here: no page is published during the run.
    server = bench.serve(env, bench.BASE, bench.RINGLET_PORT, "portal.wsgi:application", [])
    nginx = start_edge(folder, key)
    groups = {server.pid, nginx.pid}
    e = f"http://127.0.0.1:{EDGE_PORT}"
    results = []
    try:
        pages = [
            ("anonymous course page, 50 lessons", data["course"]),
            ("catalogue /courses/", data["catalogue"]),
            ("free-preview lesson", data["preview"]),
            ("home page", "/"),
        ]
        for name, path in pages:
            fetch(e + path)
            body, headers = fetch(e + path)
            assert headers["X-Edge-Cache"] == "HIT", (path, headers["X-Edge-Cache"])
            # The same bytes as a static file of the same edge.
            static = folder / "static" / "bench" / (re.sub(r"\W+", "-", path).strip("-") or "home")
            static.parent.mkdir(parents=True, exist_ok=True)
            static.write_bytes(body)
            through = measured(e + path, groups)
            as_file = measured(f"{e}/static/bench/{static.name}", groups)
            results.append((name, len(body), through, as_file))
        # A signed segment (18.7 KB): the edge's own check against Django's (same gunicorn).
        media_id = int(re.search(r"/signed/\d+/[^/]+/(\d+)/", data["segment"]).group(1))
        expires = int(time.time()) + 7200
        token = signing.edge_token(media_id, "v1", expires, key=key)
        edge_segment = f"/media-files/edge/{expires}/{token}/{media_id}/v1/hls/360p/seg_0000.ts"
        assert fetch(e + edge_segment)[1]["X-Edge-Cache"] == "SIGNED"
        segment_edge = measured(e + edge_segment, groups)
        segment_python = measured(f"http://127.0.0.1:{bench.RINGLET_PORT}{data['segment']}", groups)
    finally:
        nginx.terminate()
        nginx.wait(10)
        bench.stop(server)
        shutil.rmtree(folder, ignore_errors=True)
    write_results(results, segment_edge, segment_python)


def write_results(results, segment_edge, segment_python):
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"\n## `make bench-edge`: anonymous pages through the edge tier ({now})\n",
        f"Machine: {platform.platform()}, {os.cpu_count()} cores, **shared with other agents' test "
        "runs and benchmarks** (load average 1/5/15 min before → after each figure). Command: "
        f"`make bench-edge` (bench/edge.py): wrk -t2 -c32 -d{bench.DURATION}s --latency from "
        "127.0.0.1; nginx with deploy/edge/nginx.conf.template (worker_processes auto) in front "
        "of gunicorn (gunicorn.conf.py, production settings). CPU is every nginx and gunicorn "
        "process's user + system time per request (PostgreSQL and Redis, shared, not counted).\n",
        "| page (bytes) | through the edge: req/s | p50 ms | p99 ms | CPU ms/req | same bytes as a "
        "static file: req/s | p50 ms | p99 ms | CPU ms/req | ratio (req/s) | non-2xx | load |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, size, page, static in results:
        lines.append(
            f"| {name} ({size:,}) | {page['rps']:.0f} | {page['p50']:.2f} | {page['p99']:.2f} | "
            f"{page['cpu_ms']:.3f} | {static['rps']:.0f} | {static['p50']:.2f} | {static['p99']:.2f} | "
            f"{static['cpu_ms']:.3f} | {page['rps'] / static['rps']:.2f} | "
            f"{page['non2xx']} / {static['non2xx']} | {page['load']}; "
            f"{static['load']} |"
        )
    lines += [
        "\n| signed HLS segment (18.7 KB) | req/s | p50 ms | p99 ms | CPU ms/req | non-2xx | load |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, res in (
        ("checked and served by the edge", segment_edge),
        ("Django (gunicorn)", segment_python),
    ):
        lines.append(
            f"| {name} | {res['rps']:.0f} | {res['p50']:.2f} | {res['p99']:.2f} | {res['cpu_ms']:.3f} | "
            f"{res['non2xx']} | {res['load']} |"
        )
    lines.append("")
    with open(bench.BASE / "bench" / "RESULTS.md", "a") as fh:
        fh.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
