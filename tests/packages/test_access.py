"""Who may open a package: the lesson's gate at launch, then signed sessions; outsiders get nothing."""

import json
import re
import time

import pytest
from django.test import Client
from django.urls import reverse

from courses.services import enroll
from packages import signing
from packages.models import Attempt
from tests.packages.conftest import package_lesson
from tests.packages.factories import ready_package

pytestmark = pytest.mark.django_db


@pytest.fixture
def played(first_lesson):
    package = ready_package()
    lesson, block_id = package_lesson(first_lesson, package)
    return lesson, block_id, package


def launch(client, lesson, block_id):
    return client.get(reverse("packages:launch", args=[lesson.pk, block_id]))


def session_of(response):
    assert response.status_code == 302, response.status_code
    return re.search(r"/package-sessions/([^/]+)/$", response["Location"]).group(1)


def test_an_enrolled_student_is_sent_to_a_signed_session_that_serves_the_package(
    client, played, student, course
):
    lesson, block_id, _package = played
    enroll(student, course)
    client.force_login(student)

    token = session_of(launch(client, lesson, block_id))
    player = client.get(reverse("packages:player", args=[token]))
    file = client.get(reverse("packages:file", args=[token, "index.html"]))
    script = client.get(reverse("packages:file", args=[token, "sco12.js"]))

    assert player.status_code == 200
    config = json.loads(
        re.search(rb'id="package-config" type="application/json">(.*?)</script>', player.content)[1]
    )
    assert config["tracked"] is True
    assert config["cmi"]["core"]["student_id"] == str(student.pk)
    assert config["cmi"]["student_data"]["mastery_score"] == "60"
    assert "'unsafe-inline'" in player["Content-Security-Policy"]
    assert b"".join(file.streaming_content).startswith(b"<!doctype html>")
    assert "'unsafe-inline'" in file["Content-Security-Policy"]
    assert script["Content-Type"].startswith(("text/javascript", "application/javascript"))
    assert Attempt.objects.get(user=student).number == 1


def test_the_lesson_page_keeps_the_sites_strict_policy_and_frames_the_player_sandboxed(
    client, played, student, course
):
    lesson, block_id, _package = played
    enroll(student, course)
    client.force_login(student)

    response = client.get(lesson.url)

    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy + ";" and "unsafe-inline" not in policy
    assert b'sandbox="allow-scripts allow-same-origin' in response.content
    assert reverse("packages:launch", args=[lesson.pk, block_id]).encode() in response.content


def test_an_outsider_cannot_launch_a_gated_package_nor_fetch_any_of_its_files(client, played, other_student):
    lesson, block_id, package = played
    names = ["index.html", "sco12.js", "sco.css", "imsmanifest.xml"]

    anonymous = launch(Client(), lesson, block_id)
    client.force_login(other_student)  # logged in, not enrolled
    outsider = launch(client, lesson, block_id)
    assert (anonymous.status_code, outsider.status_code) == (403, 403)
    assert not Attempt.objects.exists()

    expired = signing.make_token(package.pk, package.version, 0, expires=int(time.time()) - 1)
    valid = signing.make_token(package.pk, package.version)
    forged = valid[:-1] + ("0" if valid[-1] != "0" else "1")
    other_version = signing.make_token(package.pk, "0123456789abcdef")
    for token in (expired, forged, "1.x.0.9999999999.0123456789abcdef0123456789abcdef"):
        assert client.get(reverse("packages:player", args=[token])).status_code == 403
        for name in names:
            assert client.get(reverse("packages:file", args=[token, name])).status_code == 403, (token, name)
    for name in names:
        assert client.get(reverse("packages:file", args=[other_version, name])).status_code == 404
    # Nor straight from the media URL or by climbing out of a session.
    for name in names:
        assert client.get(f"/media/{package.version_prefix()}/{name}").status_code == 404
    assert client.get(reverse("packages:file", args=[valid, "../../../manage.py"])).status_code == 404


def test_a_free_preview_plays_for_visitors_without_keeping_results(client, played):
    lesson, block_id, _package = played
    lesson.free_preview = True
    lesson.save_revision().publish()

    token = session_of(launch(Client(), lesson, block_id))
    player = Client().get(reverse("packages:player", args=[token]))
    commit = Client().post(
        reverse("packages:commit", args=[token]), json.dumps({"cmi": {}}), content_type="application/json"
    )

    assert player.status_code == 200 and b'"tracked": false' in player.content
    assert commit.status_code == 403
    assert not Attempt.objects.exists()


def test_a_malformed_commit_is_refused_with_a_message_and_stores_nothing(client, played, student, course):
    lesson, block_id, _package = played
    enroll(student, course)
    client.force_login(student)
    token = session_of(launch(client, lesson, block_id))
    url = reverse("packages:commit", args=[token])

    bad_json = client.post(url, b"{not json", content_type="application/json")
    no_cmi = client.post(url, json.dumps({"core": {}}), content_type="application/json")
    too_big = client.post(url, b" " * (3 * 1024 * 1024), content_type="application/json")

    assert [r.status_code for r in (bad_json, no_cmi, too_big)] == [400, 400, 400]
    assert bad_json.json()["error"] == "The commit is not valid JSON."
    assert no_cmi.json()["error"] == "A commit is a JSON object with the data model under “cmi”."
    assert Attempt.objects.get().cmi == {}


def test_a_commit_after_leaving_the_course_is_kept_but_completes_nothing(client, played, student, course):
    from courses.services import unenroll
    from lessons.models import LessonCompletion

    lesson, block_id, _package = played
    enroll(student, course)
    client.force_login(student)
    token = session_of(launch(client, lesson, block_id))
    unenroll(student, course)

    done = {"core": {"lesson_status": "passed", "score": {"raw": "90"}, "exit": ""}}
    response = client.post(
        reverse("packages:commit", args=[token]),
        json.dumps({"cmi": done, "terminate": True}),
        content_type="application/json",
    )

    assert response.json() == {"result": True, "errorCode": 0}
    assert Attempt.objects.get().completion_status == "completed"
    assert not LessonCompletion.objects.exists()
