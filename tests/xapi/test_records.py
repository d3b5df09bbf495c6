"""Learning records: Ringlet's events and H5P's statements reach a real LRS (Ralph), in the xAPI 1.0.3
shape, each once, even when the LRS was down while they happened."""

import json
import re
from collections import Counter

import pytest
from django.test import Client
from django.urls import reverse

from courses.services import enroll
from demo.content_packages import h5p_package
from lessons.quiz import quizzes_of, submit_attempt
from lessons.services import set_lesson_complete
from tests.packages.conftest import package_lesson
from tests.packages.factories import ready_package
from tests.page_fixtures import lessons_of, stored_video, video_lesson
from tests.processes import wait_for
from tests.xapi.shape import check_statement
from xapi import services
from xapi.models import Statement
from xapi.statements import VIDEO_EXTENSIONS

ADL = "http://adlnet.gov/expapi/verbs/"


@pytest.mark.django_db
def test_without_an_lrs_nothing_is_recorded_and_nothing_breaks(settings, course, student, quiz_lesson):
    settings.XAPI_LRS_URL = ""

    with_events(student, course, quiz_lesson)

    assert not Statement.objects.exists()


def with_events(student, course, quiz_lesson):
    """Enroll, pass the quiz (completing its lesson), complete the rest (completing the course)."""
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        enroll(student, course)
    quiz = quizzes_of(quiz_lesson)[0]
    answers = {question.id: set(question.correct_ids) for question in quiz.questions}
    with TestCase.captureOnCommitCallbacks(execute=True):
        submit_attempt(student, quiz_lesson, quiz, answers)
    for lesson in lessons_of(course):
        with TestCase.captureOnCommitCallbacks(execute=True):
            set_lesson_complete(student, lesson.specific)


def play(client, lesson, media, events):
    for event, position in events:
        response = client.post(
            reverse("lessons:playback"),
            json.dumps(
                {"lesson": lesson.pk, "media": media.pk, "position": position, "duration": 10, "event": event}
            ),
            content_type="application/json",
        )
        assert response.status_code == 200, response.content


def h5p_answer(client, lesson, block_id, correct):
    """H5P's "answered" statement for the content, as its player posts it (H5P's placeholder actor)."""
    token = re.search(
        r"/package-sessions/([^/]+)/$",
        client.get(f"/learn/lessons/{lesson.pk}/packages/{block_id}/")["Location"],
    )[1]
    statement = {
        "actor": {"name": "Learner", "mbox": "mailto:learner@ringlet.invalid", "objectType": "Agent"},
        "verb": {"id": f"{ADL}answered", "display": {"en-US": "answered"}},
        "object": {
            "id": f"{lesson.get_full_url()}#package-{block_id}",
            "objectType": "Activity",
            "definition": {
                "extensions": {"http://h5p.org/x-api/h5p-local-content-id": "abc"},
                "name": {"en-US": "Which block plays a video?"},
                "interactionType": "choice",
                "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
            },
        },
        "context": {
            "contextActivities": {
                "category": [
                    {"id": "http://h5p.org/libraries/H5P.RingletChoice-1.0", "objectType": "Activity"}
                ]
            }
        },
        "result": {
            "score": {"min": 0, "max": 1, "raw": int(correct), "scaled": int(correct)},
            "completion": True,
            "success": correct,
        },
    }
    response = client.post(
        reverse("packages:h5p_statements", args=[token]),
        json.dumps({"statement": statement, "state": json.dumps({"chosen": 0, "checked": True})}),
        content_type="application/json",
    )
    assert response.status_code == 204


def lrs_has(lrs, count):
    return len(lrs.statements()) >= count


def wait_or_explain(predicate, worker, message, timeout=90):
    """``wait_for``, failing with what the worker and the unsent statements say."""
    try:
        wait_for(predicate, timeout=timeout, message=message)
    except AssertionError:
        errors = set(Statement.objects.filter(sent_at__isnull=True).values_list("last_error", flat=True))
        raise AssertionError(f"{message}: unsent errors {errors}\n{worker.output()[-4000:]}") from None


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_ringlet_events_and_h5p_statements_reach_the_lrs_as_xapi_statements(
    lrs, xapi_worker, course, student, quiz_lesson
):
    # A video lesson and an H5P lesson join the course (its quiz lesson comes first).
    parent = lessons_of(course)[1].get_parent()
    media = stored_video("Lecture")
    watched = video_lesson(parent, media, title="Watch the lecture")
    h5p_lesson, block_id = package_lesson(lessons_of(course)[-1].specific, ready_package(data=h5p_package()))
    client = Client()
    client.force_login(student)

    with_events(student, course, quiz_lesson)
    play(client, watched, media, [("play", 0), ("pause", 4), ("play", 4), ("ended", 10)])
    h5p_answer(client, h5p_lesson, block_id, correct=True)

    local = Statement.objects.count()
    # registered, passed (quiz), completed x 5 lessons (the quiz's, then the rest), completed (course),
    # played, paused, played, completed (video), answered (H5P)
    assert local == 13, Counter(s.verb for s in Statement.objects.all())
    wait_or_explain(lambda: lrs_has(lrs, local), xapi_worker, f"the LRS to hold {local} statements")
    stored = lrs.statements()
    assert Counter(s["id"] for s in stored) == Counter(str(s.id) for s in Statement.objects.all())
    assert not Statement.objects.filter(sent_at__isnull=True).exists()

    for statement in stored:
        check_statement(statement)
        # Actors are accounts on the site, never an email address.
        assert statement["actor"] == {
            "objectType": "Agent",
            "account": {"homePage": "http://testserver", "name": str(student.pk)},
        }
    assert "learner@ringlet.invalid" not in json.dumps(stored) and student.email not in json.dumps(stored)
    by_verb = Counter(s["verb"]["id"].rsplit("/", 1)[-1] for s in stored)
    assert by_verb == {"registered": 1, "passed": 1, "completed": 7, "played": 2, "paused": 1, "answered": 1}

    quiz = next(s for s in stored if s["verb"]["id"] == f"{ADL}passed")
    assert quiz["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/assessment"
    assert quiz["result"]["score"]["scaled"] == 1.0 and quiz["result"]["success"] is True
    assert quiz["context"]["contextActivities"]["parent"][0]["id"] == quiz_lesson.get_full_url()

    course_done = [
        s
        for s in stored
        if s["object"]["id"] == course.get_full_url() and s["verb"]["id"].endswith("completed")
    ]
    assert len(course_done) == 1
    assert course_done[0]["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/course"

    video = [
        s
        for s in stored
        if s["object"]["definition"].get("type") == "https://w3id.org/xapi/video/activity-type/video"
    ]
    video.sort(key=lambda s: s["timestamp"])
    assert [s["verb"]["id"].rsplit("/", 1)[-1] for s in video] == ["played", "paused", "played", "completed"]
    paused, completed = video[1], video[3]
    assert paused["result"]["extensions"][VIDEO_EXTENSIONS["time"]] == 4
    assert paused["result"]["extensions"][VIDEO_EXTENSIONS["played-segments"]] == "0[.]4"
    assert completed["result"]["extensions"][VIDEO_EXTENSIONS["played-segments"]] == "0[.]4[,]4[.]10"
    assert completed["result"]["extensions"][VIDEO_EXTENSIONS["progress"]] == 1
    assert completed["result"]["completion"] is True
    sessions = {s["context"]["extensions"][VIDEO_EXTENSIONS["session-id"]] for s in video}
    assert len(sessions) == 1
    assert video[0]["context"]["extensions"][VIDEO_EXTENSIONS["length"]] == 10
    assert {"id": "https://w3id.org/xapi/video", "objectType": "Activity"} in video[0]["context"][
        "contextActivities"
    ]["category"]

    answered = next(s for s in stored if s["verb"]["id"] == f"{ADL}answered")
    assert answered["object"]["id"] == f"{h5p_lesson.get_full_url()}#package-{block_id}"
    assert answered["result"]["success"] is True
    grouping = [a["id"] for a in answered["context"]["contextActivities"]["grouping"]]
    assert grouping == [h5p_lesson.get_full_url(), course.get_full_url()]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_statements_made_while_the_lrs_is_down_arrive_once_after_it_restarts(
    lrs, xapi_worker, build_course, student, other_student
):
    courses = [build_course(f"Course {n}", modules=1, per_module=2) for n in range(2)]
    lrs.stop()

    from django.test import TestCase

    for user in (student, other_student):
        for course in courses:
            with TestCase.captureOnCommitCallbacks(execute=True):
                enroll(user, course)
            with TestCase.captureOnCommitCallbacks(execute=True):
                set_lesson_complete(user, lessons_of(course)[0].specific)
    expected = {str(pk) for pk in Statement.objects.values_list("pk", flat=True)}
    assert len(expected) == 8
    wait_for(lambda: Statement.objects.filter(tries__gte=1).exists(), timeout=60, message="a failed send")
    assert not Statement.objects.filter(sent_at__isnull=False).exists()
    assert "ConnectionError" in Statement.objects.first().last_error

    lrs.start()
    wait_for(
        lambda: not Statement.objects.filter(sent_at__isnull=True).exists(),
        timeout=120,
        message="the retries to deliver every statement",
    )
    assert Counter(s["id"] for s in lrs.statements()) == Counter(expected)

    # A worker that died after the LRS stored a batch but before marking it sent: it is sent again,
    # with the same ids and content, and the LRS still holds each statement once.
    Statement.objects.update(sent_at=None)
    services.publish_send()
    wait_for(
        lambda: not Statement.objects.filter(sent_at__isnull=True).exists(), timeout=60, message="a resend"
    )
    assert Counter(s["id"] for s in lrs.statements()) == Counter(expected)
