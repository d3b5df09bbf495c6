"""LTI Advantage against lti-consumer-xblock's platform over real HTTP: grades (AGS) posted by the
Celery worker after a quiz and a course completion, the roster (NRPS), and deep linking."""

import json

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import KeySet
from joserfc.jws import extract_compact

from courses.models import Enrollment
from lessons.services import quizzes_of
from lti import grades
from lti.models import Context, GradePost, Identity, Membership, Platform
from tests.lti.conftest import CLIENT_ID, ISSUER, Flow
from tests.page_fixtures import add_quiz, lessons_of
from tests.processes import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def unverified(token):
    return json.loads(extract_compact(token.encode()).payload)


def answer_quiz(flow, lesson):
    """Submit the quiz of ``lesson`` choosing each question's first option (75%: a pass at 70%)."""
    quiz = quizzes_of(lesson)[0]
    data = {question.field_name: question.options[0].id for question in quiz.questions}
    response = flow.client.post(f"/learn/lessons/{lesson.pk}/quiz/{quiz.id}/", data, HTTP_HOST=flow.host)
    assert response.status_code == 302, response.content.decode()[:400]
    return quiz


def test_a_quiz_attempt_and_the_course_completion_post_scores_to_the_platforms_gradebook(
    client, platform_server, lti_platform, course, celery_worker
):
    lesson = add_quiz(lessons_of(course)[0].specific)
    flow = Flow(client, platform_server)
    flow.launch(user_id="learner-ags", role="student", custom={"ringlet_page_id": str(course.pk)})
    quiz = answer_quiz(flow, lesson)

    scores = wait_for(
        lambda: platform_server.received()["scores"], timeout=120, message="a score at the platform"
    )
    received = platform_server.received()
    score = scores[0]
    assert score["content_type"] == "application/vnd.ims.lis.v1.score+json"
    body = json.loads(score["body"])
    assert body["userId"] == "learner-ags"
    assert (body["scoreGiven"], body["scoreMaximum"]) == (75.0, 100)
    assert (body["activityProgress"], body["gradingProgress"]) == ("Completed", "FullyGraded")
    assert body["timestamp"].endswith("Z") and "T" in body["timestamp"]
    # The bearer token is the platform's own, for the score scope, got with Ringlet's signed assertion.
    token = unverified(score["authorization"].removeprefix("Bearer "))
    assert token["iss"] == ISSUER and "https://purl.imsglobal.org/spec/lti-ags/scope/score" in token["scopes"]
    request = received["token"][0]
    assert request["grant_type"] == "client_credentials"
    assert request["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    tool_keys = KeySet.import_key_set(
        requests.get(f"{platform_server.tool_url}/lti/jwks/", timeout=10).json()
    )
    assertion = jwt.decode(request["client_assertion"], tool_keys, algorithms=["RS256"]).claims
    assert (
        assertion["iss"] == assertion["sub"] == CLIENT_ID
        and assertion["aud"] == f"{platform_server.url}/token"
    )
    # The quiz's line item was made in the context's container, then scored.
    line_item = json.loads(received["lineitems"][0]["body"])
    assert line_item["resourceId"] == f"quiz-{lesson.pk}-{quiz.id}" and line_item["scoreMaximum"] == 100
    assert score["path"] == "/lineitems/ctx-1/1/scores"

    post = GradePost.objects.get(kind=GradePost.Kind.QUIZ)
    assert post.status == GradePost.Status.POSTED
    assert Platform.objects.get().last_grade_post_at is not None
    # Never twice for one attempt: the row exists once, and posting it again posts nothing.
    assert grades.deliver(post.pk) == "already posted"
    attempt = post.source_id
    from lessons.models import QuizAttempt

    assert grades.record_quiz_attempt(QuizAttempt.objects.get(pk=attempt), post.user, lesson, course) == []

    # Completing the course posts 100 of 100 to the course's line item.
    for other in lessons_of(course)[1:]:
        response = flow.client.post(
            f"/learn/lessons/{other.pk}/complete/", {"complete": "1"}, HTTP_HOST=flow.host
        )
        assert response.status_code == 302
    try:
        wait_for(
            lambda: len(platform_server.received()["scores"]) == 2, timeout=120, message="the course score"
        )
    except AssertionError as error:
        posts = list(GradePost.objects.values("kind", "status", "tries", "last_error"))
        raise AssertionError(f"{error}; grade posts: {posts}\n{celery_worker.output()[-3000:]}") from None
    received = platform_server.received()
    course_score = json.loads(received["scores"][1]["body"])
    assert (course_score["scoreGiven"], course_score["userId"]) == (100.0, "learner-ags")
    assert json.loads(received["lineitems"][1]["body"])["resourceId"] == f"course-{course.pk}"
    assert len(received["scores"]) == 2


def test_grades_that_cannot_be_posted_stay_pending_when_worth_retrying_and_fail_when_refused(
    client, platform_server, lti_platform, course, settings
):
    from lti import tasks
    from lti.services_client import ServiceError
    from tests.processes import free_port

    lesson = add_quiz(lessons_of(course)[0].specific)
    flow = Flow(client, platform_server)
    flow.launch(user_id="unlucky", role="student", custom={"ringlet_page_id": str(course.pk)})
    # The platform's token endpoint is down (before the attempt, whoever tries to post it first).
    Platform.objects.update(auth_token_url=f"http://127.0.0.1:{free_port()}/token")
    answer_quiz(flow, lesson)
    post = GradePost.objects.get()
    with pytest.raises(ServiceError) as down:
        grades.deliver(post.pk)
    assert down.value.retryable
    post.refresh_from_db()
    # Pending, to be retried (and swept by beat); the session's worker may have tried it too.
    assert post.status == GradePost.Status.PENDING and post.tries >= 1
    assert "could not be reached" in post.last_error
    settings.LTI_GRADE_STUCK_AFTER = 0
    assert list(tasks.stuck_grade_posts()) == [post]
    # The platform refuses (its token endpoint says 404): given up, and the admin is told why.
    Platform.objects.update(auth_token_url=f"{platform_server.url}/no-such-endpoint")
    with pytest.raises(ServiceError) as refused:
        grades.deliver(post.pk)
    assert not refused.value.retryable
    post.refresh_from_db()
    assert post.status == GradePost.Status.FAILED
    assert "404" in Platform.objects.get().last_grade_error
    # A late retry of a refused post sends nothing.
    assert grades.deliver(post.pk) == "failed before"
    assert platform_server.received()["scores"] == []


def test_an_instructor_syncs_the_roster_members_are_enrolled_and_removed_ones_marked(
    client, platform_server, lti_platform, course, celery_worker
):
    learner = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
    instructor = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
    flow = Flow(client, platform_server)
    # A student who was in the platform course and has progress here.
    flow.launch(user_id="gone", role="student", custom={"ringlet_page_id": str(course.pk)})
    flow.client.logout()
    platform_server.set_members(
        "ctx-1",
        [
            {"user_id": "teacher", "roles": [instructor], "name": "Tess Teacher", "status": "Active"},
            {
                "user_id": "s1",
                "roles": [learner],
                "given_name": "Sam",
                "family_name": "One",
                "email": "s1@lms.test",
            },
            {"user_id": "s2", "roles": [learner], "name": "Sue Two"},
            {"user_id": "s3", "roles": [learner], "name": "Sid Three", "status": "Active"},
            {"user_id": "s4", "roles": [learner], "name": "Inactive Four", "status": "Inactive"},
        ],
    )
    launched, _ = flow.launch(
        user_id="teacher", role="instructor", custom={"ringlet_page_id": str(course.pk)}
    )
    context = Context.objects.get(context_id="ctx-1")
    response = flow.client.post(f"/lti/contexts/{context.pk}/sync/", HTTP_HOST=flow.host)
    assert response.status_code == 302

    def synced():
        context.refresh_from_db()
        return context.last_roster_sync_at

    wait_for(synced, timeout=60, message="the roster sync")
    enrolled = set(
        Enrollment.objects.filter(course=course).values_list("user__lti_identities__sub", flat=True)
    )
    assert enrolled == {"gone", "s1", "s2", "s3"}
    assert Identity.objects.get(sub="s1").user.get_full_name() == "Sam One"
    gone = Membership.objects.get(context=context, user__lti_identities__sub="gone")
    assert gone.status == Membership.Status.REMOVED and gone.removed_at is not None
    assert not Identity.objects.filter(sub="s4").exists()
    assert Membership.objects.get(context=context, user__lti_identities__sub="teacher").is_instructor
    # Three pages of two members, each fetched with a bearer token.
    requests_made = platform_server.received()["memberships"]
    assert len(requests_made) == 3 and all(r["authorization"].startswith("Bearer ") for r in requests_made)
    page = flow.client.get(launched["Location"], HTTP_HOST=flow.host).content.decode()
    assert "Removed from the platform" in page and "Sue Two" in page


def test_deep_linking_round_trip(client, platform_server, lti_platform, course):
    lesson = add_quiz(lessons_of(course)[1].specific)
    flow = Flow(client, platform_server)
    response, _ = flow.launch(user_id="designer", role="instructor", message_type="LtiDeepLinkingRequest")
    assert response["Location"] == "/lti/deep-linking/"
    picker = flow.client.get("/lti/deep-linking/", HTTP_HOST=flow.host)
    html = picker.content.decode()
    assert course.title in html and lesson.title in html and "graded (its quiz)" in html

    chosen = flow.client.post(
        "/lti/deep-linking/",
        {
            "item": [f"course:{course.pk}", f"lesson:{lesson.pk}"],
            "graded": [f"course:{course.pk}", f"lesson:{lesson.pk}"],
        },
        HTTP_HOST=flow.host,
    )
    assert chosen.status_code == 200
    assert f"form-action 'self' {platform_server.url}" in chosen["Content-Security-Policy"]
    return_url, token = chosen.context["return_url"], chosen.context["jwt"]
    assert return_url == f"{platform_server.url}/deep-link-return"
    # The platform checks the response's signature against Ringlet's JWKS, over HTTP.
    accepted = requests.post(return_url, data={"JWT": token}, timeout=30)
    assert accepted.status_code == 200, accepted.text
    returned = platform_server.received()["deep_link"][0]
    claims = returned["claims"]
    assert claims["iss"] == CLIENT_ID and claims["aud"] == ISSUER
    assert claims["https://purl.imsglobal.org/spec/lti/claim/message_type"] == "LtiDeepLinkingResponse"
    assert claims["https://purl.imsglobal.org/spec/lti/claim/deployment_id"] == "1"
    course_item, lesson_item = returned["items"]
    assert course_item["type"] == lesson_item["type"] == "ltiResourceLink"
    assert course_item["title"] == course.title and course_item["url"].endswith(course.url)
    assert course_item["lineItem"]["resourceId"] == f"course-{course.pk}"
    quiz = quizzes_of(lesson)[0]
    assert lesson_item["lineItem"]["resourceId"] == f"quiz-{lesson.pk}-{quiz.id}"

    # The platform launches the new link: a learner lands on the lesson.
    flow.client.logout()
    landed, _ = flow.launch(
        user_id="pupil", role="student", resource_link_id="rl-lesson", custom=lesson_item["custom"]
    )
    assert landed["Location"] == lesson.url
    assert flow.client.get(lesson.url, HTTP_HOST=flow.host).status_code == 200


def test_a_learner_cannot_open_the_picker(client, platform_server, lti_platform, caplog):
    flow = Flow(client, platform_server)
    response, _ = flow.launch(user_id="pupil", role="student", message_type="LtiDeepLinkingRequest")
    assert response.status_code == 403 and "Only instructors choose content" in response.content.decode()
