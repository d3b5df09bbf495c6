"""Packages played by an enrolled student in Chromium: completion and score land in Ringlet, and a new
browser (another device) resumes at the saved place."""

import re

import pytest
from django.urls import reverse

from courses.services import enroll
from demo.content_packages import h5p_package, scorm2004_package
from lessons.models import LessonCompletion
from packages.models import Attempt, ContentPackage
from tests.media_library.test_player_browser import axe_violations
from tests.packages.conftest import package_lesson
from tests.packages.factories import ready_package
from tests.processes import wait_for
from tests.user_fixtures import browser_log_in

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def package_frame(page):
    """The SCO's frame: the lesson's sandboxed player iframe, then the content iframe inside it."""
    return page.frame_locator(".package-block__frame").frame_locator("#package-content")


def start(page, title, label="Start"):
    """Press the block's facade button: the frame (and the package's runtime) loads only then."""
    assert page.locator(".package-block__frame").count() == 0
    page.get_by_role("button", name=f"{label}: {title}", exact=True).click()
    page.locator(".package-block__frame").wait_for()


def attempt_of(user, **filters):
    return Attempt.objects.filter(user=user, **filters).order_by("-number").first()


def terminated(user, package, sessions):
    """Wait for the terminating commit: scorm-again may send it after LMSFinish/Terminate returns."""
    wait_for(
        lambda: (attempt_of(user, package=package) or Attempt(sessions=0)).sessions >= sessions,
        message=f"session {sessions} to end",
    )
    return attempt_of(user, package=package)


def test_a_scorm_12_package_uploaded_in_the_admin_is_unpacked_by_the_worker_and_played_to_completion(
    page, live_server, celery_worker, course, student, first_lesson, django_user_model
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from wagtail.models import Collection

    from demo.content_packages import scorm12_package

    admin = Client()
    admin.force_login(django_user_model.objects.create_superuser("boss", "boss@example.com", "pw"))
    response = admin.post(
        reverse("content_packages:add"),
        {
            "title": "",
            "file": SimpleUploadedFile("quick-check.zip", scorm12_package("Quick check")),
            "collection": Collection.get_first_root_node().pk,
        },
    )
    assert response.status_code == 302
    package = ContentPackage.objects.get()
    wait_for(
        lambda: ContentPackage.objects.get(pk=package.pk).status == "ready",
        timeout=60,
        message="the worker to unpack the package",
    )
    package.refresh_from_db()
    lesson, _block_id = package_lesson(first_lesson, package)
    enroll(student, course)
    browser_log_in(page.context, live_server, student)

    page.goto(live_server.url + lesson.url)
    # Nothing of the package loads with the page: no frame, no session, until Start.
    page.wait_for_load_state("load")
    assert not Attempt.objects.exists()
    assert axe_violations(page) == []  # the facade: a named button, keyboard reachable
    start(page, "Quick check")
    # The frame takes the focus, so keyboard and screen-reader users go on inside the activity.
    assert page.evaluate("document.activeElement.classList.contains('package-block__frame')")
    frame = package_frame(page)
    frame.get_by_text("Connected as").wait_for()
    frame.get_by_label("A course page, or one of its modules").check()
    frame.get_by_role("button", name="Submit my answer").click()
    frame.get_by_text("Passed: 80% (recorded)").wait_for()

    attempt = terminated(student, package, 1)
    assert (attempt.completion_status, attempt.success_status) == ("completed", "passed")
    assert attempt.score_scaled == pytest.approx(0.8)
    assert attempt.finished_at is not None and attempt.sessions == 1
    assert attempt.cmi["core"]["lesson_location"] == "question-1"
    interaction = attempt.interactions.get()
    assert (interaction.interaction_id, interaction.result, interaction.learner_response) == (
        "page-type-of-lessons",
        "correct",
        "course",
    )
    assert LessonCompletion.objects.filter(user=student, lesson=lesson).exists()

    page.goto(live_server.url + course.url)
    item = page.locator(".outline__lesson", has_text=lesson.title)
    assert item.locator(".outline__check").count() == 1
    assert item.locator(".outline__score").inner_text() == "Score 80%"


def test_a_scorm_2004_package_resumes_in_a_new_browser_at_the_saved_page_and_completes(
    page, browser, live_server, course, student, first_lesson
):
    package = ready_package("Three pages", data=scorm2004_package())
    lesson, _block_id = package_lesson(first_lesson, package)
    enroll(student, course)
    browser_log_in(page.context, live_server, student)

    page.goto(live_server.url + lesson.url)
    start(page, "Three pages")
    frame = package_frame(page)
    frame.get_by_text("Welcome.").wait_for()
    frame.get_by_role("button", name="Next page").click()
    frame.get_by_role("button", name="Next page").click()
    frame.get_by_label("Your notes").fill("Blocks, media, packages")
    frame.get_by_role("button", name="Save and leave").click()
    frame.get_by_text("Saved. Come back to carry on from page 3.").wait_for()
    attempt = terminated(student, package, 1)
    assert attempt.suspended and attempt.finished_at is None
    assert attempt.cmi["location"] == "3"
    assert "Blocks, media, packages" in attempt.cmi["suspend_data"]
    assert not LessonCompletion.objects.filter(user=student, lesson=lesson).exists()

    # Another device: a new browser context, the same student.
    other = browser.new_context()
    try:
        browser_log_in(other, live_server, student)
        second = other.new_page()
        second.goto(live_server.url + lesson.url)
        assert "In progress" in second.locator(".package-block__result").inner_text()
        start(second, "Three pages", label="Continue")
        frame = package_frame(second)
        frame.get_by_text("Welcome back: you were on page 3.").wait_for()
        assert frame.locator("#page-title").inner_text().startswith("Page 3 of 3")
        assert frame.get_by_label("Your notes").input_value() == "Blocks, media, packages"
        frame.get_by_role("button", name="Finish").click()
        frame.get_by_text("Finished: 90%.").wait_for()
    finally:
        other.close()

    attempt = terminated(student, package, 2)
    assert attempt.number == 1  # the same attempt, resumed
    assert (attempt.completion_status, attempt.success_status) == ("completed", "passed")
    assert attempt.score_scaled == pytest.approx(0.9)
    assert attempt.sessions == 2 and attempt.finished_at is not None
    assert attempt.interactions.get().learner_response == "Blocks, media, packages"
    assert LessonCompletion.objects.filter(user=student, lesson=lesson).exists()


def test_an_h5p_multiple_choice_records_its_result_and_restores_its_state_in_a_new_browser(
    page, browser, live_server, course, student, first_lesson
):
    package = ready_package("Video block", data=h5p_package(), name="choice.h5p")
    lesson, _block_id = package_lesson(first_lesson, package)
    enroll(student, course)
    browser_log_in(page.context, live_server, student)

    page.goto(live_server.url + lesson.url)
    start(page, "Video block")
    content = page.frame_locator(".package-block__frame").frame_locator("iframe.h5p-iframe")
    content.get_by_label("The code block").check()
    content.get_by_role("button", name="Check").click()
    content.get_by_text("Not quite: 0/1. Try again.").wait_for()
    wait_for(lambda: attempt_of(student, package=package), message="the H5P attempt")
    wait_for(
        lambda: attempt_of(student, package=package).success_status == "failed", message="the failed answer"
    )
    assert not LessonCompletion.objects.filter(user=student, lesson=lesson).exists()

    content.get_by_label("The video block").check()
    content.get_by_role("button", name="Check").click()
    content.get_by_text("Correct! 1/1").wait_for()
    wait_for(
        lambda: LessonCompletion.objects.filter(user=student, lesson=lesson).exists(),
        message="the lesson to complete",
    )
    attempt = attempt_of(student, package=package)
    assert (attempt.completion_status, attempt.success_status, attempt.score_scaled) == (
        "completed",
        "passed",
        1.0,
    )
    assert '"chosen":0' in attempt.cmi["h5p_state"]

    other = browser.new_context()
    try:
        browser_log_in(other, live_server, student)
        second = other.new_page()
        second.goto(live_server.url + lesson.url)
        assert re.search(r"Completed, score 100%", second.locator(".package-block__result").inner_text())
        start(second, "Video block")
        restored = second.frame_locator(".package-block__frame").frame_locator("iframe.h5p-iframe")
        restored.get_by_text("Correct! 1/1").wait_for()
        assert restored.get_by_label("The video block").is_checked()
    finally:
        other.close()


def test_with_an_origin_of_their_own_packages_play_isolated_from_the_lesson_page(
    page, live_server, course, student, first_lesson, settings
):
    from portal.csp import site_directives

    site = live_server.url  # http://localhost:<port>
    packages_origin = site.replace("localhost", "127.0.0.1")
    settings.PACKAGES_ORIGIN = packages_origin
    settings.WAGTAILADMIN_BASE_URL = site
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": site_directives(frame_origins=[packages_origin])}
    from demo.content_packages import scorm12_package

    package = ready_package("Quick check", data=scorm12_package())
    lesson, _ = package_lesson(first_lesson, package)
    enroll(student, course)
    browser_log_in(page.context, live_server, student)

    page.goto(site + lesson.url)
    start(page, "Quick check")
    frame = package_frame(page)
    frame.get_by_text("Connected as").wait_for()
    sco = next(f for f in page.frames if f.url.endswith("/files/index.html"))
    assert sco.url.startswith(packages_origin + "/package-sessions/")
    # The package's scripts cannot reach the lesson page (another origin) nor anything of it.
    assert (
        sco.evaluate("() => { try { return window.top.document.title; } catch (e) { return 'blocked'; } }")
        == "blocked"
    )
    frame.get_by_label("A course page, or one of its modules").check()
    frame.get_by_role("button", name="Submit my answer").click()
    frame.get_by_text("Passed: 80% (recorded)").wait_for()

    terminated(student, package, 1)
    assert LessonCompletion.objects.filter(user=student, lesson=lesson).exists()
