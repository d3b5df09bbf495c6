"""Worker memory against requests served, to choose gunicorn's ``max_requests`` (issue 21).

Serves a seeded bench database (one `bench/watchers.py` left, BENCH_REUSE=1) with gunicorn from
gunicorn.conf.py, recycling off (``--max-requests 0``), sends student requests from 8 threads
(the course page of 50 lessons, the gated lesson 50 of 50, the dashboard, a progress report)
and prints each worker's RSS every ``step`` requests:

    BENCH_DATABASE=ringlet_watchers .venv/bin/python bench/worker_memory.py [requests] [step]
"""

import os
import re
import sys
import threading
import time
from pathlib import Path

os.environ.setdefault("BENCH_SCALE", "0")
os.environ.setdefault("BENCH_REUSE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import requests
import run as bench
from watchers import ATTR, MEDIA_ID, PROGRESS_SCRIPT, free_port

LESSON = re.compile(r'href="(/courses/[^"]+-lesson-50/)"')


def rss(server):
    sizes = []
    for pid in bench.run(["pgrep", "-P", str(server.pid)], check=False).stdout.split():
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) // 1024)
    return sorted(sizes)


def main():
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 6000
    step = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    database = f"{bench.SERVER}/{bench.DATABASE}"
    data = bench.seed(database)
    port = free_port()
    server = bench.serve(
        bench.ringlet_env(database), bench.BASE, port, "portal.wsgi:application", ["--max-requests", "0"]
    )
    base = f"http://127.0.0.1:{port}"
    served, lock, errors = [0], threading.Lock(), []

    def student():
        http = requests.Session()
        http.cookies.set("sessionid", data["cookie"])
        page = http.get(base + data["watched"]).text
        attrs = dict(ATTR.findall(PROGRESS_SCRIPT.search(page).group(0)))
        http.cookies.set("csrftoken", http.cookies.get("csrftoken"))
        media = int(MEDIA_ID.search(page).group(1))
        urls = [data["course"], data["gated"], "/dashboard/"]
        n = 0
        while True:
            with lock:
                if served[0] >= total:
                    return
                served[0] += 1
            n += 1
            if n % 4 == 3:
                form = {"csrfmiddlewaretoken": attrs["csrf"], "lesson": attrs["lesson"], "media": media,
                        "position": n % 2, "duration": 2, "token": attrs.get("token", "")}  # fmt: skip
                response = http.post(base + attrs["endpoint"], data=form)
            else:
                response = http.get(base + urls[n % 4 % 3])
            if response.status_code >= 400:
                errors.append(response.status_code)

    print(f"| requests | worker RSS MB | load |\n|---|---|---|\n| 0 | {rss(server)} | {bench.load()} |")
    threads = [threading.Thread(target=student, daemon=True) for _ in range(8)]
    try:
        for thread in threads:
            thread.start()
        mark = step
        while any(t.is_alive() for t in threads):
            time.sleep(0.5)
            if served[0] >= mark:
                print(f"| {mark} | {rss(server)} | {bench.load()} |", flush=True)
                mark += step
        print(f"| {served[0]} | {rss(server)} | {bench.load()} | errors: {len(errors)}")
    finally:
        bench.stop(server)


if __name__ == "__main__":
    main()
