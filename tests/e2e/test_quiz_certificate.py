"""Issue 14 end to end in Chromium: pass a quiz, complete the course, get the certificate, verify it.

A real Celery worker (the session's ``celery_worker``) issues the certificate from the task
that completing the course enqueues on commit.
"""

import io
import re
from urllib.parse import urlsplit

import pytest
from pypdf import PdfReader

from courses.models import Enrollment
from courses.services import enroll
from lessons.quiz import quizzes_of
from tests.account_fixtures import make_student
from tests.page_fixtures import add_quiz, lessons_of
from tests.processes import wait_for
from tests.user_fixtures import browser_log_in

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_student_passes_the_quiz_completes_the_course_and_verifies_the_certificate(
    page, live_server, artifacts_dir, build_course, celery_worker
):
    course = build_course("Quizzes and certificates", modules=1, per_module=2)
    first, second = lessons_of(course)
    first = add_quiz(first.specific)
    quiz = quizzes_of(first)[0]
    student = make_student("lin@example.com", first_name="Lin", last_name="Okafor")
    enroll(student, course)
    browser_log_in(page.context, live_server, student)

    page.goto(live_server.url + first.url)
    quiz_section = page.locator("section.quiz")
    assert "(correct answer)" not in quiz_section.inner_html()
    assert page.get_by_text("Pass the quiz above to complete this lesson.").is_visible()
    single, multiple = quiz.questions
    page.get_by_label(next(o.text for o in single.options if o.correct)).check()
    for option in multiple.options:
        if option.correct:
            page.get_by_label(option.text).check()
    page.screenshot(path=str(artifacts_dir / "quiz-1-answered.png"), full_page=True)
    page.get_by_role("button", name="Submit answers").click()
    page.get_by_text("You passed with 100%.").wait_for()
    assert "Passed" in page.locator(".quiz__result").inner_text()
    assert page.get_by_text("You have completed this lesson.").is_visible()
    page.screenshot(path=str(artifacts_dir / "quiz-2-passed.png"), full_page=True)

    page.goto(live_server.url + second.url)
    page.get_by_role("button", name="Mark as complete").click()
    page.get_by_text("Congratulations: you have completed “Quizzes and certificates”!").wait_for()

    # Completion is recorded by the request itself; only the PDF is left to the worker.
    assert Enrollment.objects.get(user=student, course=course).completed_at is not None

    # The worker renders and stores the PDF; the dashboard offers it once it is there.
    def certificate_link():
        page.goto(live_server.url + "/dashboard/")
        link = page.get_by_role("link", name=re.compile("Download your certificate"))
        return link if link.count() else None

    try:
        link = wait_for(certificate_link, timeout=60, message="the certificate on the dashboard")
    except AssertionError as error:
        raise AssertionError(f"{error}\n{celery_worker.default.output()[-4000:]}") from None
    page.screenshot(path=str(artifacts_dir / "quiz-3-dashboard-certificate.png"), full_page=True)
    response = page.request.get(live_server.url + link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    assert "Lin Okafor" in text and "Quizzes and certificates" in text
    url = re.search(r"Verify at (\S+)", text).group(1)

    # The PDF names the site by its configured base URL (WAGTAILADMIN_BASE_URL, "testserver"
    # in the tests); the path is what leads to the page, so it is opened on the live server.
    page.goto(live_server.url + urlsplit(url).path)
    page.get_by_text("This certificate is genuine.").wait_for()
    assert "Lin Okafor" in page.locator("main").inner_text()
    assert "Quizzes and certificates" in page.locator("main").inner_text()
    page.screenshot(path=str(artifacts_dir / "quiz-4-verified.png"), full_page=True)
