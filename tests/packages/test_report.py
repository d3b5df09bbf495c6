"""The instructor's report per package: attempts, completion, scores, time spent, most missed interactions."""

import pytest
from django.urls import reverse

from courses.services import enroll
from packages import runtime
from packages.models import Attempt
from packages.report import package_report
from tests.factories import UserFactory
from tests.packages.conftest import package_lesson
from tests.packages.factories import ready_package

pytestmark = pytest.mark.django_db


def scorm12_cmi(status, raw, response, seconds):
    return {
        "core": {
            "lesson_status": status,
            "score": {"raw": str(raw), "min": "0", "max": "100"},
            "total_time": f"00:{seconds // 60:02d}:{seconds % 60:02d}",
            "exit": "",
        },
        "interactions": {
            "0": {
                "id": "page-type-of-lessons",
                "type": "choice",
                "student_response": response,
                "result": "correct" if response == "course" else "wrong",
                "correct_responses": {"0": {"pattern": "course"}},
            }
        },
    }


def finish(user, package, lesson, block_id, *cmi_args):
    attempt = runtime.current_attempt(user, package, lesson, block_id)
    return runtime.apply_commit(attempt, scorm12_cmi(*cmi_args), terminate=True)


@pytest.fixture
def reported(course, first_lesson):
    package = ready_package("Quick check")
    lesson, block_id = package_lesson(first_lesson, package)
    ann, bob, cy = (UserFactory(username=name) for name in ("ann", "bob", "cy"))
    for user in (ann, bob, cy):
        enroll(user, course)
    finish(ann, package, lesson, block_id, "passed", 80, "course", 120)
    finish(bob, package, lesson, block_id, "failed", 20, "home", 60)  # attempt 1, wrong
    finish(bob, package, lesson, block_id, "passed", 80, "course", 90)  # attempt 2, right
    finish(cy, package, lesson, block_id, "failed", 20, "home", 30)
    return package


def test_the_report_counts_learners_attempts_completion_scores_time_and_missed_interactions(reported):
    report = package_report(reported)

    assert (report.learners, report.attempts) == (3, 4)
    assert Attempt.objects.filter(user__username="bob").count() == 2
    # cy's attempt is complete but failed: not a completion of the activity.
    assert (report.completed_learners, report.completion_percent) == (2, 67)
    assert (report.passed_learners, report.failed_learners) == (2, 1)
    assert report.average_best_score == 60  # best of each: 80, 80, 20
    assert report.average_minutes == pytest.approx((2 + 2.5 + 0.5) / 3, abs=0.05)
    [missed] = report.most_missed
    assert (missed.interaction_id, missed.answered, missed.missed, missed.missed_percent) == (
        "page-type-of-lessons",
        4,
        2,
        50,
    )
    assert missed.common_wrong_response == "home"


def test_h5p_answers_become_interactions_in_the_report(course, first_lesson, student):
    from demo.content_packages import h5p_package

    package = ready_package("Choice", data=h5p_package(), name="choice.h5p")
    lesson, block_id = package_lesson(first_lesson, package)
    enroll(student, course)
    attempt = runtime.current_attempt(student, package, lesson, block_id)
    answered = {
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {"id": "http://x/lesson#package-1", "definition": {"name": {"en-US": "Which block?"}}},
        "result": {"success": False, "response": "1", "score": {"raw": 0, "max": 1, "scaled": 0}},
    }
    runtime.apply_statement(attempt, answered)

    [missed] = package_report(package).most_missed
    assert (missed.description, missed.missed, missed.common_wrong_response) == ("Which block?", 1, "1")


def test_editors_see_the_report_and_other_staff_do_not(client, reported, editor):
    client.force_login(editor)
    listing = client.get(reverse("package_reports"))
    page = client.get(reverse("package_report", args=[reported.pk]))
    assert listing.status_code == 200 and "Quick check" in listing.content.decode()
    html = page.content.decode()
    assert "Most missed interactions" in html and "page-type-of-lessons" in html and "home" in html

    from django.contrib.auth.models import Group

    outsider = UserFactory(username="instructor-elsewhere")
    outsider.groups.add(Group.objects.get(name="Instructors"))  # the admin, no package permission
    client.force_login(outsider)
    # Wagtail's admin answers a refusal by sending the user back to the dashboard.
    for url in (reverse("package_reports"), reverse("package_report", args=[reported.pk])):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, "/admin/")
