"""Instructors read as staff in their own courses only, editors in every course (``works_on``).

Two courses, each with its instructor, a gated lesson playing a video and offering a document
kept in the course's collection, and a live lesson in an unpublished module (a draft to students:
the public site routes no one there, so the rule itself is asked, as previews and the API do).
"""

from dataclasses import dataclass

import pytest

from courses.models import CourseAccess
from media_library import services
from tests.factories import LessonPageFactory, ModulePageFactory
from tests.page_fixtures import document_block, make_document, stored_video
from tests.user_fixtures import make_instructor, teach


@dataclass
class Side:
    user: object
    lesson: object
    draft: object
    media: object
    document: object

    @property
    def master(self):
        return services.rendition_url(self.media, "hls/master.m3u8")


def build_side(build_course, name):
    course = build_course(f"Course {name}", modules=1, per_module=0)
    user, instructor = make_instructor(f"instructor-{name.lower()}")
    teach(course, instructor)
    collection = CourseAccess.objects.get(course_id=course.pk).collection
    media = stored_video(f"Video {name}", collection=collection)
    document = make_document(f"handout-{name.lower()}", collection=collection)
    body = [
        ("paragraph", f"<p>Secret of course {name}</p>"),
        ("video", {"video": media, "caption": "", "transcript": ""}),
        document_block(document),
    ]
    lesson = LessonPageFactory(parent=course.get_children().first(), title=f"Gated {name}", body=body)
    lesson.save_revision().publish()
    hidden = ModulePageFactory(parent=course, title=f"Coming soon {name}")
    draft = LessonPageFactory(parent=hidden, title=f"Unpublished {name}", free_preview=True)
    hidden.unpublish()
    return Side(user, lesson, draft, media, document)


@pytest.fixture
def sides(build_course):
    return build_side(build_course, "A"), build_side(build_course, "B")


def reads(client, side):
    """What the logged-in client gets of ``side``: lesson page, API body, master playlist, document,
    and whether the gating rule lets its user read the draft lesson."""
    from lessons.services import can_view_lesson

    page = client.get(side.lesson.url)
    api = client.get(f"/api/lessons/{side.lesson.pk}/").json()
    return {
        "lesson": page.status_code,
        "body shown": "Secret of course" in page.content.decode(),
        "draft": can_view_lesson(page.wsgi_request.user, side.draft),
        "api body": api["body"] is not None,
        "master": client.get(side.master).status_code,
        "document": client.get(side.document.url).status_code,
    }


OWN = {"lesson": 200, "body shown": True, "draft": True, "api body": True, "master": 200, "document": 200}
OTHER = {
    "lesson": 403,
    "body shown": False,
    "draft": False,
    "api body": False,
    "master": 403,
    "document": 403,
}


def test_an_instructor_reads_and_streams_their_own_course_as_staff(client, sides):
    a, _ = sides
    client.force_login(a.user)
    assert reads(client, a) == OWN


def test_an_instructor_gets_the_gate_and_403s_on_another_instructors_course(client, sides):
    a, b = sides
    client.force_login(a.user)
    result = reads(client, b)
    assert result == OTHER
    locked = client.get(b.lesson.url).content.decode()
    assert "This lesson is for enrolled students" in locked and "Secret of course B" not in locked


def test_an_editor_and_a_superuser_read_both_courses(client, sides, editor, django_user_model):
    admin = django_user_model.objects.create_superuser("boss", "boss@example.com", "pw")
    for user in (editor, admin):
        client.force_login(user)
        for side in sides:
            assert reads(client, side) == OWN, (user, side.lesson.title)


def test_media_used_in_an_instructors_page_plays_for_them_wherever_it_is_kept(client, sides):
    """An item from another collection (an editor chose it for the course) is used by a page
    the instructor may edit: they may play it, the other instructor may not."""
    a, b = sides
    shared = stored_video("Editor's clip")  # the root collection: no course's
    a.lesson.body = [*a.lesson.body.raw_data, {"type": "video", "value": {"video": shared.pk}}]
    a.lesson.save_revision().publish()
    url = services.rendition_url(shared, "hls/master.m3u8")
    client.force_login(a.user)
    assert client.get(url).status_code == 200
    client.force_login(b.user)
    assert client.get(url).status_code == 403


def test_an_instructor_enrolled_in_another_course_reads_it_as_a_student(client, sides):
    from courses.services import enroll

    a, b = sides
    enroll(a.user, b.lesson.course)
    client.force_login(a.user)
    assert reads(client, b) == {**OWN, "draft": False}


def test_the_rule_asks_each_question_once_per_request(sides, django_assert_max_num_queries):
    """The answers are kept on the user: a second look at the same pages and items costs nothing."""
    from accounts.services import works_on

    a, b = sides
    objects = [a.lesson, b.lesson, a.media, b.media, a.document, b.document]
    first = [works_on(a.user, obj) for obj in objects]
    assert first == [True, False, True, False, True, False]
    with django_assert_max_num_queries(0):
        assert [works_on(a.user, obj) for obj in objects] == first
