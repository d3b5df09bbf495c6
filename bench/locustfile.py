"""A mixed load for Ringlet (locust): anonymous browsing, students reading lessons and
recording progress, and an editor uploading a video, against a seeded bench database.

Run through `LOCUST=<path to locust> .venv/bin/python bench/run.py --locust 20 5 30s`, or by hand
(after `make bench` has seeded `ringlet_bench`, with Ringlet served on 127.0.0.1:8611):
    LOCUST_STUDENT_SESSION=<key> LOCUST_ADMIN_SESSION=<key> LOCUST_COURSE=/courses/... \
    .venv/bin/locust -f bench/locustfile.py --headless -u 40 -r 10 -t 5m \
        -H http://127.0.0.1:8611 --csv var/locust
The student's and the editor's session keys and the course URL come from the environment
(`bench/run.py --locust` seeds them and runs this file once gunicorn answers); every failed
request counts as an error.
"""

import json
import os
import re

from locust import HttpUser, between, task

COURSE = os.environ.get("LOCUST_COURSE", "/courses/")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
LESSON_LINK = re.compile(r'href="(/courses/[^"/]+/[^"]+/)"')
# The lesson page's progress script (lessons/lesson_page.html) and its player's media id.
WATCHED = os.environ.get("LOCUST_WATCHED", COURSE)
PROGRESS_SCRIPT = re.compile(r'data-endpoint="([^"]+)" data-lesson="(\d+)" data-csrf="([^"]+)"')
MEDIA_ID = re.compile(r'data-media-id="(\d+)"')
COMPLETE_FORM = re.compile(r'action="(/learn/lessons/\d+/complete/)"')
COMPLETE_VALUE = re.compile(r'name="complete" value="([01])"')
# A short real clip (`make load` makes one with FFmpeg): the upload path (checks, storage,
# enqueue) is what is loaded; no worker runs, so the encodes wait in the queue.
CLIP = os.environ.get("LOCUST_CLIP", "")


def plain_csrf_cookie(client):
    """Production marks the CSRF cookie Secure; over the bench's plain HTTP the client would not
    send it back, so it is set again without the flag (the server side is unchanged)."""
    for cookie in list(client.cookies):
        if cookie.name == "csrftoken" and cookie.secure:
            client.cookies.set("csrftoken", cookie.value)


class Visitor(HttpUser):
    """Someone not logged in: home, catalogue, a search, a course page, a free preview."""

    weight = 6
    wait_time = between(0.5, 2)

    @task(3)
    def course(self):
        self.client.get(COURSE)

    @task(2)
    def catalogue(self):
        self.client.get("/courses/")

    @task
    def search(self):
        self.client.get("/courses/?q=python", name="/courses/?q=")

    @task
    def home(self):
        self.client.get("/")


class Student(HttpUser):
    """The enrolled student: course page, lessons, the player's progress heartbeats and marking
    a lesson complete."""

    weight = 3
    wait_time = between(1, 3)

    def on_start(self):
        self.client.cookies.set("sessionid", os.environ["LOCUST_STUDENT_SESSION"])
        page = self.client.get(COURSE).text
        # The course page links the outline's lessons (and the catalogue, one level up: not these).
        self.lessons = sorted(set(LESSON_LINK.findall(page)))[:10] or [COURSE]

    @task(3)
    def read_lesson(self):
        for lesson in self.lessons[:3]:
            self.client.get(lesson, name="lesson page (student)")

    @task(2)
    def heartbeat(self):
        """What lessons/static/lessons/progress.js sends while the video plays: JSON with the
        lesson, the media item and the position, the CSRF token in X-CSRFToken."""
        with self.client.get(WATCHED, name="lesson page (student)", catch_response=True) as page:
            script = PROGRESS_SCRIPT.search(page.text)
            media = MEDIA_ID.search(page.text)
            if not (script and media):
                page.failure("the lesson shows no player to report progress for")
                return
        endpoint, lesson, csrf = script.groups()
        plain_csrf_cookie(self.client)
        self.position = (getattr(self, "position", 0) + 0.5) % 2
        payload = {
            "lesson": int(lesson),
            "media": int(media.group(1)),
            "position": self.position,
            "duration": 2,
        }
        self.client.post(
            endpoint,
            data=json.dumps(payload),
            headers={"Content-Type": "application/json", "X-CSRFToken": csrf, "Referer": self.host + WATCHED},
            name="playback heartbeat",
        )

    @task
    def mark_complete(self):
        lesson = self.lessons[0]
        with self.client.get(lesson, name="lesson page (student)", catch_response=True) as page:
            form = COMPLETE_FORM.search(page.text)
            token = CSRF_INPUT.search(page.text)
            if not (form and token):
                page.failure("the lesson shows no mark-complete form")
                return
        plain_csrf_cookie(self.client)
        state = COMPLETE_VALUE.search(page.text)
        self.client.post(
            form.group(1),
            {"csrfmiddlewaretoken": token.group(1), "complete": state.group(1) if state else "1"},
            headers={"Referer": self.host + lesson},
            name="mark complete",
        )


class Editor(HttpUser):
    """An editor uploading a video now and then through the Wagtail admin."""

    weight = 1
    wait_time = between(20, 40)

    def on_start(self):
        self.client.cookies.set("sessionid", os.environ["LOCUST_ADMIN_SESSION"])

    @task
    def upload(self):
        form = self.client.get("/admin/media/video/add/", name="admin media add")
        token = CSRF_INPUT.search(form.text)
        plain_csrf_cookie(self.client)
        if not token or not CLIP:
            return
        with (
            open(CLIP, "rb") as clip,
            self.client.post(
                "/admin/media/video/add/",
                data={"csrfmiddlewaretoken": token.group(1), "title": "Load test clip", "collection": "1"},
                files={"file": ("clip.mp4", clip, "video/mp4")},
                headers={"Referer": self.host + "/admin/media/video/add/"},
                name="admin media upload",
                allow_redirects=False,
                catch_response=True,
            ) as response,
        ):
            # The admin redirects after saving; a 200 is the form again, with the upload refused.
            if response.status_code != 302:
                response.failure(f"upload not saved (status {response.status_code})")
