"""Roles and ownership: two instructors and an editor on one site, through Wagtail's own permissions."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import Collection, GroupCollectionPermission, Page
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from courses.models import CourseAccess, CoursePage
from courses.roles import EDITORS, INSTRUCTORS
from tests.factories import CoursePageFactory, UserFactory
from tests.page_fixtures import make_media
from tests.user_fixtures import make_instructor, teach


@pytest.fixture
def two_courses(catalogue):
    user_a, teacher_a = make_instructor("alice")
    user_b, teacher_b = make_instructor("bob")
    course_a = teach(CoursePageFactory(parent=catalogue, title="Course A"), teacher_a)
    course_b = teach(CoursePageFactory(parent=catalogue, title="Course B"), teacher_b)
    return user_a, teacher_a, course_a, user_b, teacher_b, course_b


def course_form(course, **overrides):
    data = {
        "title": course.title,
        "slug": course.slug,
        "summary": "Edited summary",
        "level": "beginner",
        "language": "en",
        "description": rich_text(""),
        "learning_outcomes": streamfield([]),
        "tags": "",
        **overrides,
    }
    form = nested_form_data(data)
    form["instructors"] = [str(pk) for pk in course.instructors.values_list("pk", flat=True)]
    return form


def test_migrate_leaves_the_editors_and_instructors_groups_with_their_permissions(db):
    editors = Group.objects.get(name=EDITORS)
    instructors = Group.objects.get(name=INSTRUCTORS)
    root = Page.get_first_root_node()
    editor_codes = set(
        editors.page_permissions.filter(page=root).values_list("permission__codename", flat=True)
    )
    assert {"add_page", "change_page", "publish_page"} <= editor_codes
    assert set(
        GroupCollectionPermission.objects.filter(
            group=editors, collection=Collection.get_first_root_node()
        ).values_list("permission__codename", flat=True)
    ) >= {"add_media", "change_media", "delete_media", "add_image", "choose_image", "add_document"}
    assert instructors.permissions.filter(codename="access_admin").exists()
    assert not instructors.page_permissions.exists()


def test_a_course_gets_its_own_group_and_collection_for_its_instructors(two_courses):
    user_a, _, course_a, *_ = two_courses
    access = CourseAccess.objects.get(course=course_a)
    assert list(access.group.user_set.all()) == [user_a]
    assert access.collection.name == "Course A"
    assert access.collection.get_parent() == Collection.get_first_root_node()
    assert user_a.groups.filter(name=INSTRUCTORS).exists()
    assert set(access.group.page_permissions.values_list("page_id", "permission__codename")) == {
        (course_a.pk, "add_page"),
        (course_a.pk, "change_page"),
    }


def test_instructor_edits_own_course_but_not_anothers_and_publishes_neither(client, two_courses):
    user_a, _, course_a, _, _, course_b = two_courses
    own, other = course_a.permissions_for_user(user_a), course_b.permissions_for_user(user_a)
    assert own.can_edit() and not own.can_publish()
    assert not other.can_edit() and not other.can_publish()
    client.force_login(user_a)
    assert client.get(f"/admin/pages/{course_a.pk}/edit/").status_code == 200
    refused = client.get(f"/admin/pages/{course_b.pk}/edit/")
    assert refused.status_code in (302, 403) and refused.status_code != 200
    response = client.post(f"/admin/pages/{course_b.pk}/edit/", course_form(course_b, title="Hijacked"))
    assert response.status_code in (302, 403)
    assert CoursePage.objects.get(pk=course_b.pk).get_latest_revision_as_object().title == "Course B"
    # Publishing their own course is refused too: the page stays unchanged.
    data = course_form(course_a, title="Course A published by A")
    data["action-publish"] = "action-publish"
    client.post(f"/admin/pages/{course_a.pk}/edit/", data)
    course_a.refresh_from_db()
    assert course_a.title == "Course A"


def test_instructor_submits_own_course_for_moderation(client, two_courses):
    user_a, _, course_a, *_ = two_courses
    client.force_login(user_a)
    data = course_form(course_a, title="Course A, revised")
    data["action-submit"] = "action-submit"
    response = client.post(f"/admin/pages/{course_a.pk}/edit/", data)
    assert response.status_code == 302
    course_a.refresh_from_db()
    state = course_a.current_workflow_state
    assert state is not None and state.workflow.name == "Course review"
    assert state.status == "in_progress"
    assert course_a.title == "Course A"  # not published until an editor approves


def test_instructor_adds_a_lesson_in_own_course_only(client, two_courses):
    user_a, _, course_a, _, _, course_b = two_courses
    client.force_login(user_a)
    assert client.get(f"/admin/pages/add/lessons/lessonpage/{course_a.pk}/").status_code == 200
    assert client.get(f"/admin/pages/add/lessons/lessonpage/{course_b.pk}/").status_code in (302, 403)


def test_an_editor_can_publish_any_course(editor, two_courses):
    *_, course_b = two_courses
    assert course_b.permissions_for_user(editor).can_publish()


def test_instructor_sees_and_chooses_only_their_courses_media(client, two_courses):
    user_a, _, course_a, _, _, course_b = two_courses
    media_a = make_media("Clip of A")
    media_a.collection = course_a.access.collection
    media_a.save()
    media_b = make_media("Clip of B")
    media_b.collection = course_b.access.collection
    media_b.save()
    client.force_login(user_a)
    listing = client.get("/admin/media/").content.decode()
    assert "Clip of A" in listing and "Clip of B" not in listing
    chooser = client.get("/admin/media/chooser/").content.decode()
    assert "Clip of A" in chooser and "Clip of B" not in chooser
    assert client.get(f"/admin/media/edit/{media_b.pk}/").status_code in (302, 403)
    assert client.get(f"/admin/media/edit/{media_a.pk}/").status_code == 200
    from wagtailmedia import get_permission_policy

    may_add_to = get_permission_policy().collections_user_has_permission_for(user_a, "add")
    assert list(may_add_to) == [course_a.access.collection]


def test_instructor_sees_only_their_courses_in_the_enrollment_report(client, editor, two_courses):
    user_a, *_ = two_courses
    client.force_login(user_a)
    report = client.get("/admin/reports/course-enrollments/").content.decode()
    assert "Course A" in report and "Course B" not in report
    client.force_login(editor)
    report = client.get("/admin/reports/course-enrollments/").content.decode()
    assert "Course A" in report and "Course B" in report


def test_removing_the_link_removes_the_access(client, two_courses):
    user_a, teacher_a, course_a, *_ = two_courses
    teacher_a.user = None
    teacher_a.save()
    assert not user_a.groups.filter(name=INSTRUCTORS).exists()
    assert not CourseAccess.objects.get(course=course_a).group.user_set.exists()
    assert not CoursePage.objects.get(pk=course_a.pk).permissions_for_user(user_a).can_edit()
    client.force_login(user_a)
    assert client.get(f"/admin/pages/{course_a.pk}/edit/").status_code in (302, 403)


def test_removing_an_instructor_from_a_course_removes_their_access(two_courses):
    user_a, _, course_a, _, teacher_b, _ = two_courses
    teach(course_a, teacher_b)
    course = CoursePage.objects.get(pk=course_a.pk)
    assert not course.permissions_for_user(user_a).can_edit()
    assert course.permissions_for_user(teacher_b.user).can_edit()


def test_linking_an_account_to_an_instructor_gives_it_the_admin_and_nothing_more(db):
    user, _ = make_instructor("dora")
    assert user.groups.filter(name=INSTRUCTORS).exists()
    assert user.has_perm("wagtailadmin.access_admin")
    assert not Page.get_first_root_node().permissions_for_user(user).can_add_subpage()


def test_deleting_a_course_deletes_its_group(two_courses):
    _, _, course_a, *_ = two_courses
    group_id = course_a.access.group_id
    course_a.delete()
    assert not Group.objects.filter(pk=group_id).exists()


def test_an_editor_who_teaches_is_preselected_as_instructor_of_a_course_they_add(client, catalogue):
    user, teacher = make_instructor("carol")
    Group.objects.get(name=EDITORS).user_set.add(user)
    client.force_login(user)
    response = client.get(f"/admin/pages/add/courses/coursepage/{catalogue.pk}/")
    assert response.status_code == 200
    assert response.context["form"].initial["instructors"] == [teacher.pk]
    nobody = UserFactory(username="nobody")
    Group.objects.get(name=INSTRUCTORS).user_set.add(nobody)
    client.force_login(nobody)
    assert client.get(f"/admin/pages/{CoursePageFactory(parent=catalogue).pk}/edit/").status_code in (
        302,
        403,
    )


def test_an_instructor_starts_a_course_and_can_edit_it_at_once(client, catalogue, two_courses):
    user_a, teacher_a, *_ = two_courses
    client.force_login(user_a)
    assert client.get("/admin/courses/new/").status_code == 200
    response = client.post(
        "/admin/courses/new/", {"title": "Fresh start", "summary": "New.", "catalogue": catalogue.pk}
    )
    course = CoursePage.objects.get(title="Fresh start")
    assert response.status_code == 302 and response.url == f"/admin/pages/{course.pk}/edit/"
    assert not course.live and course.owner == user_a
    assert list(course.instructors.all()) == [teacher_a]
    assert client.get(response.url).status_code == 200
    assert course.get_latest_revision() is not None


def test_only_linked_instructors_may_start_a_course(client, editor):
    client.force_login(editor)
    refused = client.get("/admin/courses/new/")
    assert (refused.status_code, refused.url) == (302, "/admin/")
