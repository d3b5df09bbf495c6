"""Documents that cannot be read are never published silently (issue 23): the editor reads why
in the documents listing, the chooser and the edit view; a lesson using one is not published;
reading documents runs on the default queue, not behind encodes."""

import io

import pypdf
import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from wagtail.test.utils.form_data import nested_form_data, streamfield

from lessons.models import LessonPage
from media_library import services
from media_library.models import DocumentInfo
from media_library.tasks import record_document_info
from tests.media_fixtures import make_document, make_pdf
from tests.processes import wait_for

pytestmark = pytest.mark.django_db


def encrypted_pdf():
    """A real PDF locked with a user password by pypdf (AES-256), as a "protect" menu makes."""
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(make_pdf(pages=2))))
    writer.encrypt("secret", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def truncated_pdf():
    """The first 60% of a real PDF: an interrupted download (no cross-reference table, no end)."""
    whole = make_pdf(pages=3)
    return whole[: len(whole) * 6 // 10]


@pytest.fixture
def unreadable(db):
    locked = make_document(encrypted_pdf(), name="locked.pdf", title="Locked handout")
    cut = make_document(truncated_pdf(), name="cut.pdf", title="Cut handout")
    fine = make_document(make_pdf(pages=1), name="fine.pdf", title="Fine handout")
    for document in (locked, cut, fine):
        record_document_info(document.pk)
    return locked, cut, fine


def test_an_encrypted_and_a_truncated_pdf_are_recorded_unreadable_with_what_to_do(unreadable):
    locked, cut, fine = unreadable

    reasons = services.unreadable_documents([locked, cut, fine])

    assert set(reasons) == {locked.pk, cut.pk}
    assert reasons[locked.pk].startswith("The PDF is protected by a password, so students would be asked")
    assert "Upload a copy saved without a password" in reasons[locked.pk]
    assert reasons[cut.pk].startswith("Could not read the PDF:")
    assert "upload it again from the original" in reasons[cut.pk]


def test_a_replaced_file_is_not_held_against_the_document(unreadable):
    locked, _, _ = unreadable
    locked.file.save("unlocked.pdf", io.BytesIO(make_pdf(pages=1)))

    assert services.unreadable_reason(locked) == ""  # not read yet: nothing known against it
    record_document_info(locked.pk)
    assert services.unreadable_reason(locked) == ""


def test_the_documents_listing_names_the_unreadable_ones_and_why(client, admin_user, unreadable):
    locked, cut, _ = unreadable
    client.force_login(admin_user)

    html = client.get("/admin/documents/").content.decode()

    assert "2 documents here cannot be read by students" in html
    assert f'<a href="/admin/documents/edit/{locked.pk}/">Locked handout</a>: The PDF is protected' in html
    assert f'<a href="/admin/documents/edit/{cut.pk}/">Cut handout</a>: Could not read the PDF' in html
    assert "Fine handout</a>:" not in html


def test_the_document_chooser_names_the_unreadable_ones_and_why(client, admin_user, unreadable):
    client.force_login(admin_user)

    response = client.get("/admin/documents/chooser/")

    html = response.json()["html"]
    assert "2 documents here cannot be read by students" in html
    assert "Locked handout</a>: The PDF is protected by a password" in html


def test_the_edit_view_says_students_cannot_read_it(client, admin_user, unreadable):
    locked, _, fine = unreadable
    client.force_login(admin_user)

    html = client.get(f"/admin/documents/edit/{locked.pk}/").content.decode()
    assert "Students cannot read this document." in html
    assert "Lessons using it cannot be published until you replace the file." in html
    assert (
        "Students cannot read this document."
        not in client.get(f"/admin/documents/edit/{fine.pk}/").content.decode()
    )


def lesson_form(lesson, *documents):
    blocks = [("document", {"document": d.pk, "caption": "", "show_inline": False}) for d in documents]
    return nested_form_data(
        {
            "title": lesson.title,
            "slug": lesson.slug,
            "estimated_minutes": "5",
            "summary": "",
            "body": streamfield(blocks),
        }
    )


def test_a_lesson_using_an_unreadable_document_is_not_published_and_says_why(
    client, admin_user, course, unreadable
):
    locked, _, fine = unreadable
    lesson = LessonPage.objects.child_of(course.get_children().first()).first()
    client.force_login(admin_user)
    before = lesson.get_latest_revision()

    response = client.post(
        f"/admin/pages/{lesson.pk}/edit/", {**lesson_form(lesson, fine, locked), "action-publish": "publish"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "This lesson cannot be published: students cannot read the document “Locked handout”." in html
    assert "Upload a copy saved without a password" in html
    lesson.refresh_from_db()
    assert lesson.get_latest_revision() == before and not lesson.has_unpublished_changes

    # A draft may be saved meanwhile, and once the file is replaced the lesson publishes.
    draft = client.post(f"/admin/pages/{lesson.pk}/edit/", lesson_form(lesson, fine, locked))
    assert draft.status_code == 302
    locked.file.save("unlocked.pdf", io.BytesIO(make_pdf(pages=1)))
    record_document_info(locked.pk)
    published = client.post(
        f"/admin/pages/{lesson.pk}/edit/", {**lesson_form(lesson, fine, locked), "action-publish": "publish"}
    )
    assert published.status_code == 302
    lesson.refresh_from_db()
    assert [b.value["document"].pk for b in lesson.body] == [fine.pk, locked.pk]


def test_document_reading_is_routed_to_the_default_queue(celery_app):
    assert celery_app.amqp.router.route({}, record_document_info.name)["queue"].name == "default"
    assert celery_app.amqp.router.route({}, "media_library.tasks.encode")["queue"].name == "media"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_default_worker_reads_documents_not_the_media_worker(celery_worker):
    document = make_document(encrypted_pdf(), name="worker-locked.pdf", title="Read by the default worker")

    info = wait_for(
        lambda: DocumentInfo.objects.filter(document=document).first(),
        timeout=60,
        message="the worker to read the document",
    )

    assert info.error.startswith("The PDF is protected by a password")
    assert "record_document_info[" in celery_worker.default.output()
    assert "record_document_info[" not in celery_worker.media.output()  # (the banner lists it)


def saved_draft(client, admin_user, course, *documents):
    """A course's first lesson saved as a draft using ``documents`` (its form asks nothing then);
    returns it and the revision that was live before."""
    lesson = LessonPage.objects.child_of(course.get_children().first()).first()
    client.force_login(admin_user)
    assert client.post(f"/admin/pages/{lesson.pk}/edit/", lesson_form(lesson, *documents)).status_code == 302
    lesson.refresh_from_db()
    return lesson, lesson.live_revision


def test_a_workflow_approval_does_not_publish_an_unreadable_document_unless_confirmed(
    client, admin_user, editor, course, unreadable
):
    """Wagtail's approval publishes without the lesson's form: the "Course review" task asks
    the same question, in its approval form, and refuses an approval that skipped the form."""
    locked, _, fine = unreadable
    lesson, published_before = saved_draft(client, admin_user, course, fine, locked)
    workflow = lesson.get_workflow()
    assert workflow.name == "Course review"
    workflow.start(lesson, admin_user)
    state = lesson.current_workflow_task_state
    url = f"/admin/pages/workflow/action/{lesson.pk}/approve/{state.pk}/"
    client.force_login(editor)
    xhr = {"headers": {"x-requested-with": "XMLHttpRequest"}}

    # The approval form names the document and why, and has the box to tick.
    modal = client.get(url, **xhr).json()
    assert "Students cannot read the document “Locked handout”." in modal["html"]
    assert "Publish anyway" in modal["html"]
    # Not ticked: the form says why, nothing is published.
    refused = client.post(url, {"comment": "fine by me"}, **xhr).json()
    assert refused["step"] != "success"
    assert (
        "Approving publishes this page, and: Students cannot read the document “Locked handout”."
        in (refused["html"])
    )
    # A plain "Approve" posted without the box ticked (no modal) approves nothing either.
    client.post(url, {})
    # Nor does the edit view's approval (which calls the task with the form's data) without it.
    with pytest.raises(PermissionDenied):
        state.task.specific.on_action(state, editor, "approve", comment="")
    lesson.refresh_from_db()
    assert lesson.live_revision == published_before and lesson.current_workflow_task_state == state

    # Confirmed: approved and published with the document.
    done = client.post(url, {"comment": "", "publish_anyway": "on"}, **xhr).json()
    assert done["step"] == "success"
    lesson.refresh_from_db()
    assert lesson.live_revision != published_before and not lesson.has_unpublished_changes
    assert [b.value["document"].pk for b in lesson.body] == [fine.pk, locked.pk]
    assert lesson.workflow_states.get().status == "approved"


def test_a_workflow_approval_of_a_readable_lesson_needs_no_confirmation(
    client, admin_user, editor, course, unreadable
):
    _, _, fine = unreadable
    lesson = LessonPage.objects.child_of(course.get_children().first()).first()
    client.force_login(admin_user)
    assert client.post(f"/admin/pages/{lesson.pk}/edit/", lesson_form(lesson, fine)).status_code == 302
    lesson.get_workflow().start(lesson, admin_user)
    state = LessonPage.objects.get(pk=lesson.pk).current_workflow_task_state
    client.force_login(editor)

    response = client.post(f"/admin/pages/workflow/action/{lesson.pk}/approve/{state.pk}/", {})

    assert response.status_code == 302
    lesson.refresh_from_db()
    assert not lesson.has_unpublished_changes
    assert [b.value["document"].pk for b in lesson.body] == [fine.pk]


def test_approving_from_the_edit_view_asks_the_same_and_publishes_once_confirmed(
    client, admin_user, course, unreadable
):
    import json

    locked, _, fine = unreadable
    lesson, published_before = saved_draft(client, admin_user, course, fine, locked)
    lesson.get_workflow().start(lesson, admin_user)

    def approve(extra):
        return client.post(
            f"/admin/pages/{lesson.pk}/edit/",
            {
                **lesson_form(lesson, fine, locked),
                "action-workflow-action": "true",
                "workflow-action-name": "approve",
                "workflow-action-extra-data": json.dumps(extra),
            },
        )

    refused = approve({"comment": ""})
    assert refused.status_code == 200
    assert "This lesson cannot be published: students cannot read the document “Locked handout”." in (
        refused.content.decode()
    )
    lesson.refresh_from_db()
    assert lesson.live_revision == published_before
    assert lesson.workflow_states.get().status == "in_progress"

    confirmed = approve({"comment": "", "publish_anyway": True})
    assert confirmed.status_code == 302
    lesson.refresh_from_db()
    assert lesson.live_revision != published_before and not lesson.has_unpublished_changes
    assert lesson.workflow_states.get().status == "approved"


def test_the_reasons_are_stored_as_codes_and_read_in_the_editors_language(
    client, admin_user, unreadable, french
):
    locked, cut, _ = unreadable
    assert DocumentInfo.objects.get(document=locked).error_code == "pdf_locked"
    assert DocumentInfo.objects.get(document=cut).error_code == "pdf_damaged"
    client.force_login(admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    html = client.get("/admin/documents/").content.decode()

    assert f'<a href="/admin/documents/edit/{locked.pk}/">Locked handout</a>: Le PDF est protégé' in html
    assert f'<a href="/admin/documents/edit/{cut.pk}/">Cut handout</a>: Impossible de lire le PDF' in html
    assert "The PDF is protected" not in html and "Could not read the PDF" not in html
