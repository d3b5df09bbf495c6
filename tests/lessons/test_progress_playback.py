"""The playback-position endpoint: CSRF, gating, payload checks, resume and completing by watching."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from courses.services import enroll
from lessons.models import LessonCompletion, PlaybackPosition
from tests.factories import UserFactory
from tests.page_fixtures import lessons_of, make_media, video_lesson

URL = reverse("lessons:playback")


@pytest.fixture
def media(db):
    """A 100-second item: the pipeline's probed length is the one completion counts."""
    return make_media("Intro clip", duration=100)


@pytest.fixture
def lesson(course, media):
    return video_lesson(course, media, title="Watch this")


def post(client, payload, **headers):
    body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    return client.post(URL, body, content_type="application/json", **headers)


def beat(lesson, media, position, duration=100):
    return {"lesson": lesson.pk, "media": media.pk, "position": position, "duration": duration}


@pytest.fixture
def csrf_client(enrolled, lesson):
    """A client that enforces CSRF and took its token from the lesson page, as the script does."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(enrolled)
    client.get(lesson.url)
    client.token = client.cookies["csrftoken"].value
    return client


def test_saves_the_position_with_the_csrf_header_and_the_page_resumes_there(
    csrf_client, enrolled, lesson, media
):
    response = post(csrf_client, beat(lesson, media, 42.5), HTTP_X_CSRFTOKEN=csrf_client.token)
    assert response.status_code == 200, response.content
    assert response.json() == {
        "position": 42.5,
        "furthest": 42.5,
        "watched": False,
        "lesson_completed": False,
    }
    record = PlaybackPosition.objects.get(user=enrolled, media=media)
    assert (record.position, record.duration, record.lesson_id) == (42.5, 100, lesson.pk)

    post(csrf_client, beat(lesson, media, 12), HTTP_X_CSRFTOKEN=csrf_client.token)
    assert PlaybackPosition.objects.filter(user=enrolled).count() == 1
    html = csrf_client.get(lesson.url).content.decode()
    assert f'<script id="playback-positions" type="application/json">{{"{media.pk}": 12.0}}</script>' in html
    assert f'data-media-id="{media.pk}"' in html
    assert "lessons/progress.js" in html


def test_without_the_csrf_token_nothing_is_saved(csrf_client, lesson, media):
    response = post(csrf_client, beat(lesson, media, 10))
    assert response.status_code == 403
    assert not PlaybackPosition.objects.exists()


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("not json", "The request body is not valid JSON."),
        ("[1, 2]", "Send a JSON object with lesson, media, position and duration."),
        ({"lesson": 1, "media": 1, "position": 3}, "Missing field(s): duration."),
        ({"lesson": 1, "media": 1, "position": -1, "duration": 10}, "“position” cannot be negative."),
        (
            {"lesson": 1, "media": 1, "position": "ten", "duration": 10},
            "“position” must be a number of seconds.",
        ),
        (
            {"lesson": 1, "media": 1, "position": True, "duration": 10},
            "“position” must be a number of seconds.",
        ),
        ({"lesson": 1, "media": 1, "position": 1, "duration": 0}, "“duration” must be more than zero."),
        (
            {"lesson": 1, "media": 1, "position": 50, "duration": 10},
            "“position” is past the end of the media.",
        ),
        (
            {"lesson": "x", "media": 1, "position": 1, "duration": 10},
            "“lesson” must be a positive whole number (an id).",
        ),
        (
            {"lesson": 1, "media": 1.5, "position": 1, "duration": 10},
            "“media” must be a positive whole number (an id).",
        ),
    ],
)
def test_bad_payloads_get_a_400_with_a_message(client, enrolled, payload, message):
    client.force_login(enrolled)
    response = post(client, payload)
    assert response.status_code == 400
    assert response.json() == {"error": message}
    assert not PlaybackPosition.objects.exists()


def test_nan_and_infinity_are_refused(client, enrolled, lesson, media):
    client.force_login(enrolled)
    for raw in ("NaN", "Infinity"):
        body = f'{{"lesson": {lesson.pk}, "media": {media.pk}, "position": {raw}, "duration": 10}}'
        response = post(client, body)
        assert response.status_code == 400
        assert response.json() == {"error": "“position” must be a number of seconds."}


def test_media_not_in_the_lesson_is_refused(client, enrolled, course, lesson):
    other_media = make_media("Somebody else's clip")
    # Another course's lesson uses it; this student is not enrolled there.
    client.force_login(enrolled)
    response = post(client, beat(lesson, other_media, 5))
    assert response.status_code == 400
    assert response.json() == {"error": "That media item is not part of this lesson."}
    assert not PlaybackPosition.objects.exists()


def test_another_students_data_is_refused(client, enrolled, other_student_fixture, lesson, media):
    client.force_login(enrolled)
    response = post(client, {**beat(lesson, media, 5), "user": other_student_fixture.pk})
    assert response.status_code == 400
    assert response.json() == {"error": "Unexpected field(s): user."}
    assert not PlaybackPosition.objects.exists()


@pytest.fixture
def other_student_fixture(db):
    return UserFactory(username="someone-else")


def test_not_enrolled_or_anonymous_get_a_403(client, other_student_fixture, lesson, media):
    response = post(client, beat(lesson, media, 5))
    assert response.status_code == 403
    assert response.json() == {"error": "Log in to save your progress."}
    client.force_login(other_student_fixture)
    response = post(client, beat(lesson, media, 5))
    assert response.status_code == 403
    assert response.json() == {"error": "Enroll in the course to save your progress."}
    assert not PlaybackPosition.objects.exists()


def test_free_preview_lesson_position_is_not_saved_without_enrollment(
    client, other_student_fixture, lesson, media
):
    lesson.free_preview = True
    lesson.save_revision().publish()
    client.force_login(other_student_fixture)
    assert post(client, beat(lesson, media, 5)).status_code == 403
    enroll(other_student_fixture, lesson.get_parent().specific)
    assert post(client, beat(lesson, media, 5)).status_code == 200


def test_watching_90_percent_of_the_only_video_completes_the_lesson(client, enrolled, lesson, media):
    client.force_login(enrolled)
    assert post(client, beat(lesson, media, 89)).json()["watched"] is False
    assert not LessonCompletion.objects.filter(user=enrolled, lesson=lesson).exists()

    response = post(client, beat(lesson, media, 90)).json()
    assert response["watched"] is True and response["lesson_completed"] is True
    assert LessonCompletion.objects.filter(user=enrolled, lesson=lesson).exists()
    # Going back to the start keeps it watched and complete.
    response = post(client, beat(lesson, media, 0)).json()
    assert response == {"position": 0, "furthest": 90, "watched": True, "lesson_completed": False}
    assert LessonCompletion.objects.filter(user=enrolled, lesson=lesson).exists()


def test_a_lesson_with_two_videos_is_not_completed_by_watching_one(client, enrolled, course, media):
    second = make_media("Second clip", duration=100)
    lesson = video_lesson(
        course,
        media,
        title="Two videos",
        extra_blocks=[("video", {"video": second, "caption": "", "transcript": ""})],
    )
    client.force_login(enrolled)
    response = post(client, beat(lesson, media, 100)).json()
    assert response["watched"] is True and response["lesson_completed"] is False
    assert post(client, beat(lesson, second, 100)).status_code == 200
    assert not LessonCompletion.objects.filter(user=enrolled, lesson=lesson).exists()


def test_completing_by_watching_counts_towards_the_course(client, enrolled, course, lesson, media):
    from courses.services import course_progress
    from lessons.services import set_lesson_complete

    for other in lessons_of(course):
        if other.pk != lesson.pk:
            set_lesson_complete(enrolled, other)
    client.force_login(enrolled)
    post(client, beat(lesson, media, 95))
    assert course_progress(enrolled, course).is_complete
    assert enrolled.enrollments.get().completed_at is not None


def test_mark_complete_ignores_a_next_address_on_another_site(client, enrolled, course):
    lesson = lessons_of(course)[0]
    client.force_login(enrolled)
    response = client.post(
        reverse("lessons:mark_complete", args=[lesson.pk]), {"complete": "1", "next": "https://evil.example/"}
    )
    assert response.url == lesson.url


HUGE = "9" * 401


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            '{"lesson": %(lesson)s, "media": %(media)s, "position": ' + HUGE + ', "duration": 10}',
            id="huge position",
        ),
        pytest.param(
            '{"lesson": %(lesson)s, "media": %(media)s, "position": 1, "duration": ' + HUGE + "}",
            id="huge duration",
        ),
        pytest.param(
            '{"lesson": ' + HUGE + ', "media": %(media)s, "position": 1, "duration": 10}', id="huge id"
        ),
        pytest.param("[" * 100_000 + "]" * 100_000, id="deep nesting"),
        pytest.param(
            '{"lesson": [[[[[[[[[[1]]]]]]]]]], "media": 1, "position": 1, "duration": 1}', id="nested id"
        ),
        pytest.param(
            '{"lesson": %(lesson)s, "media": %(media)s, "position": 1e400, "duration": 10}',
            id="overflowing float",
        ),
        pytest.param(
            '{"lesson": %(lesson)s, "media": %(media)s, "position": "1", "duration": 10}', id="string"
        ),
        pytest.param(
            '{"lesson": %(lesson)s, "media": %(media)s, "position": 1, "duration": false}', id="boolean"
        ),
        pytest.param(
            '{"lesson": %(lesson)s, "media": %(media)s, "position": null, "duration": 10}', id="null"
        ),
        pytest.param(
            '{"lesson": %(lesson)s, "media": %(media)s, "position": 1, "duration": 10, "pad": "'
            + "x" * 2000
            + '"}',
            id="oversized body",
        ),
        pytest.param(b"\xff\xfe{}", id="not UTF-8"),
    ],
)
def test_malformed_heartbeats_get_a_400_with_a_message_never_a_500(client, enrolled, lesson, media, body):
    client.force_login(enrolled)
    if isinstance(body, str) and "%(" in body:
        body = body % {"lesson": lesson.pk, "media": media.pk}
    response = post(client, body)
    assert response.status_code == 400, response.content[:200]
    assert response.json()["error"]
    assert not PlaybackPosition.objects.filter(user=enrolled).exists()


def test_the_probed_duration_decides_completion_not_the_client(client, enrolled, course):
    short = make_media("Eight seconds", duration=8)
    lesson = video_lesson(course, short, title="Short clip")
    client.force_login(enrolled)
    response = post(client, {"lesson": lesson.pk, "media": short.pk, "position": 1, "duration": 1})
    assert response.status_code == 200
    assert response.json() == {"position": 1.0, "furthest": 1.0, "watched": False, "lesson_completed": False}
    assert PlaybackPosition.objects.get(user=enrolled, media=short).duration == 8
    assert not LessonCompletion.objects.filter(user=enrolled, lesson=lesson).exists()
    assert (
        post(client, {"lesson": lesson.pk, "media": short.pk, "position": 30, "duration": 40}).status_code
        == 400
    )
    assert post(client, {"lesson": lesson.pk, "media": short.pk, "position": 7.5, "duration": 8}).json()[
        "lesson_completed"
    ]


def test_an_item_not_probed_yet_is_never_marked_watched(client, enrolled, course):
    unprobed = make_media("Still processing", duration=0)
    lesson = video_lesson(course, unprobed, title="Processing")
    client.force_login(enrolled)
    response = post(client, {"lesson": lesson.pk, "media": unprobed.pk, "position": 10, "duration": 10})
    assert response.status_code == 200 and response.json()["watched"] is False
