"""Who may read a lesson: on the page, in the API, and never a draft."""

import pytest
from django.urls import reverse

from lessons.services import can_view_lesson
from tests.factories import LessonPageFactory, ModulePageFactory, UserFactory
from tests.page_fixtures import lessons_of


@pytest.fixture
def lesson(course):
    return lessons_of(course)[1]


@pytest.fixture
def preview(course):
    first = lessons_of(course)[0]
    first.free_preview = True
    first.save_revision().publish()
    return first


def test_anonymous_visitor_gets_a_page_saying_why_with_sign_up_and_log_in(client, lesson, course):
    lesson.body = [("paragraph", "<p>Secret sauce</p>")]
    lesson.save_revision().publish()
    response = client.get(lesson.url)
    assert response.status_code == 403
    html = response.content.decode()
    assert f'<h1 id="lesson-title">{lesson.title}</h1>' in html
    assert f"This lesson is for enrolled students of “{course.title}”." in html
    assert "Secret sauce" not in html
    assert reverse("courses:enroll_intent", args=[course.pk]) in html
    assert 'value="signup"' in html and 'value="login"' in html
    assert f'name="next" value="{lesson.url}"' in html


def test_logged_in_visitor_not_enrolled_gets_the_reason_and_an_enroll_button_returning_to_the_lesson(
    client, student, course, lesson
):
    client.force_login(student)
    response = client.get(lesson.url)
    assert response.status_code == 403
    html = response.content.decode()
    assert "This lesson is for enrolled students" in html
    assert f'action="{reverse("courses:enroll", args=[course.pk])}"' in html
    enrolled = client.post(reverse("courses:enroll", args=[course.pk]), {"next": lesson.url})
    assert enrolled.status_code == 302 and enrolled.url == lesson.url
    assert client.get(lesson.url).status_code == 200


def test_the_outline_marks_locked_lessons_with_text_for_outsiders_only(client, student, course, preview):
    html = client.get(course.url).content.decode()
    assert f"Try a free lesson: “{preview.title}”" in html and "Start with" not in html
    assert html.count("Enrolled students only") == 3
    assert html.count('class="icon icon--lock" aria-hidden="true"') == 3
    from courses.services import enroll

    enroll(student, course)
    client.force_login(student)
    assert "Enrolled students only" not in client.get(course.url).content.decode()


def test_enrolled_student_reads_the_lesson(client, enrolled, lesson):
    client.force_login(enrolled)
    response = client.get(lesson.url)
    assert response.status_code == 200
    assert "Mark as complete" in response.content.decode()


def test_anyone_reads_a_free_preview_lesson_and_the_course_page(client, preview, course):
    assert client.get(preview.url).status_code == 200
    assert client.get(course.url).status_code == 200
    client.force_login(UserFactory(username="browsing"))
    page = client.get(preview.url)
    assert page.status_code == 200
    assert "Mark as complete" not in page.content.decode()


def test_staff_and_editors_read_every_lesson_without_enrolling(client, lesson):
    from django.contrib.auth.models import Group

    staff = UserFactory(username="staff", is_staff=True)
    editor = UserFactory(username="editor")
    editor.groups.add(Group.objects.get(name="Editors"))
    for user in (staff, editor):
        client.force_login(user)
        assert client.get(lesson.url).status_code == 200


def test_a_live_lesson_in_an_unpublished_module_or_course_is_a_draft_to_students(client, enrolled, course):
    module = ModulePageFactory(parent=course, title="Coming soon")
    hidden = LessonPageFactory(parent=module, title="Hidden lesson", free_preview=True)
    module.unpublish()
    client.force_login(enrolled)
    assert client.get(hidden.url).status_code == 404
    assert not can_view_lesson(enrolled, hidden)
    assert "Hidden lesson" not in client.get(course.url).content.decode()

    visible = lessons_of(course)[0]
    course.unpublish()
    assert not can_view_lesson(enrolled, visible)


def test_an_unpublished_lesson_is_not_served_to_an_enrolled_student(client, enrolled, lesson):
    lesson.unpublish()
    client.force_login(enrolled)
    assert client.get(lesson.url).status_code == 404


# --- The API applies the same rule to the lesson body --------------------------------


def api_body(client, lesson):
    response = client.get(f"/api/lessons/{lesson.pk}/")
    assert response.status_code == 200
    return response.json()["body"]


def test_api_hides_the_body_of_a_lesson_from_anonymous_and_non_enrolled_users(client, student, lesson):
    lesson.body = [("paragraph", "<p>Secret sauce</p>")]
    lesson.save_revision().publish()
    assert api_body(client, lesson) is None
    client.force_login(student)
    assert api_body(client, lesson) is None
    listing = client.get("/api/lessons/", {"fields": "body"}).json()
    assert "Secret sauce" not in str(listing)


def test_api_shows_the_body_to_enrolled_students_and_of_free_previews_to_anyone(
    client, enrolled, lesson, preview
):
    lesson.body = [("paragraph", "<p>Secret sauce</p>")]
    lesson.save_revision().publish()
    assert api_body(client, preview) == []
    client.force_login(enrolled)
    assert "Secret sauce" in str(api_body(client, lesson))


def test_progress_actions_need_an_enrollment(client, student, course, lesson):
    client.force_login(student)
    response = client.post(reverse("lessons:mark_complete", args=[lesson.pk]), {"complete": "1"})
    assert response.status_code == 302
    assert response.url == course.url
    assert not student.lesson_completions.exists()
    client.logout()
    response = client.post(reverse("lessons:mark_complete", args=[lesson.pk]), {"complete": "1"})
    assert response.status_code == 302 and "login" in response.url


def test_media_is_playable_by_those_who_may_read_a_lesson_that_plays_it(student, course):
    from courses.services import enroll
    from lessons.services import can_view_media
    from tests.page_fixtures import make_media, video_lesson

    media = make_media("Members only")
    unused = make_media("Not in any lesson")
    video_lesson(course, media, title="Video lesson")
    staff = UserFactory(username="staff", is_staff=True)
    assert not can_view_media(student, media)
    assert can_view_media(staff, media)
    enroll(student, course)
    assert can_view_media(student, media)
    assert not can_view_media(student, unused)

    preview_media = make_media("Teaser")
    preview = video_lesson(course, preview_media, title="Teaser lesson", free_preview=True)
    outsider = UserFactory(username="outsider")
    assert can_view_media(outsider, preview_media)
    preview.unpublish()
    assert not can_view_media(outsider, preview_media)


def test_after_logging_in_the_visitor_comes_back_to_the_lesson(client, enrolled, lesson):
    from allauth.account.models import EmailAddress

    # Students log in with a verified email address (allauth's login form, "login" field).
    EmailAddress.objects.create(user=enrolled, email=enrolled.email, primary=True, verified=True)
    locked = client.get(lesson.url).content.decode()
    login_url = f"{reverse('account_login')}?next={lesson.url}"
    assert f'href="{login_url}"' in locked
    assert 'name="login"' in client.get(login_url).content.decode()
    response = client.post(
        login_url, {"login": enrolled.email, "password": "correct horse battery staple"}, follow=True
    )
    assert response.redirect_chain[-1][0] == lesson.url
    assert response.status_code == 200
    assert f'<h1 id="lesson-title">{lesson.title}</h1>' in response.content.decode()
