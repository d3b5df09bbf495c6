"""A launch in Chromium inside an iframe of the platform's page, another site than Ringlet's
(the platform on 127.0.0.1, Ringlet on localhost): the OIDC round trip, the session and CSRF
cookies, frame-ancestors, and a student's POST (marking a lesson complete) inside the frame."""

from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from courses.models import Enrollment
from lessons.models import LessonCompletion
from lti.models import Identity
from tests.page_fixtures import lessons_of

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def launch_in_iframe(page, platform_server, course, sub):
    login_url = platform_server.login_url(
        user_id=sub, role="student", name="Frame Learner", custom={"ringlet_page_id": str(course.pk)}
    )
    page.goto(f"{platform_server.url}/embed?url={quote(login_url, safe='')}")
    return page.frame_locator("#tool")


def test_a_launch_inside_the_platforms_iframe_signs_in_enrolls_and_works(
    page, live_server, platform_server, lti_platform, course, artifacts_dir
):
    assert "localhost" in live_server.url and "127.0.0.1" in platform_server.url  # two sites
    frame = launch_in_iframe(page, platform_server, course, "iframe-learner")
    expect(frame.get_by_role("heading", name=course.title, level=1)).to_be_visible(timeout=30000)
    user = Identity.objects.get(sub="iframe-learner").user
    assert Enrollment.objects.filter(user=user, course=course).exists()
    session = next(
        cookie for cookie in page.context.cookies(live_server.url) if cookie["name"] == "sessionid"
    )
    assert session["sameSite"] == "None" and session["secure"]

    # A form with Django's CSRF token works inside the frame: mark the first lesson complete.
    lesson = lessons_of(course)[0]
    frame.get_by_role("link", name=lesson.title).first.click()
    expect(frame.get_by_role("heading", name=lesson.title, level=1)).to_be_visible(timeout=30000)
    frame.get_by_role("button", name="Mark as complete").click()
    expect(frame.get_by_text("is marked complete")).to_be_visible(timeout=30000)
    assert LessonCompletion.objects.filter(user=user, lesson_id=lesson.pk).exists()
    page.screenshot(path=str(artifacts_dir / "lti-iframe-launch.png"))


def test_a_launch_in_a_browser_that_blocks_third_party_cookies_still_works(
    page, live_server, platform_server, lti_platform, course
):
    # Chromium's own third-party cookie blocking (as in Chrome's settings), for this page's profile.
    cdp = page.context.new_cdp_session(page)
    cdp.send(
        "Network.setCookieControls",
        {
            "enableThirdPartyCookieRestriction": True,
            "disableThirdPartyCookieMetadata": True,
            "disableThirdPartyCookieHeuristics": True,
        },
    )
    frame = launch_in_iframe(page, platform_server, course, "blocked-learner")
    # Partitioned (CHIPS) cookies are kept in the platform site's jar: the frame signs in.
    expect(frame.get_by_role("heading", name=course.title, level=1)).to_be_visible(timeout=30000)
    session = next(
        cookie for cookie in page.context.cookies(live_server.url) if cookie["name"] == "sessionid"
    )
    assert session.get("partitionKey"), session
    assert Enrollment.objects.filter(user__lti_identities__sub="blocked-learner", course=course).exists()
