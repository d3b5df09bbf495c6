"""The lesson page's admin form: a lesson is not published with a document students cannot read."""

import json

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.blocks.list_block import ListValue
from wagtail.blocks.stream_block import StreamValue
from wagtail.blocks.struct_block import StructValue
from wagtail.documents.models import AbstractDocument

from media_library.services import unreadable_documents

PUBLISH_ACTIONS = ("action-publish",)


def documents_in(value):
    """Every Wagtail document a StreamField value holds, at any depth, in order, once each."""
    found = {}

    def walk(item):
        if isinstance(item, AbstractDocument):
            found.setdefault(item.pk, item)
        elif isinstance(item, StreamValue):
            for child in item:
                walk(child.value)
        elif isinstance(item, StructValue):
            for child in item.values():
                walk(child)
        elif isinstance(item, (ListValue, list, tuple)):
            for child in item:
                walk(child)

    walk(value)
    return list(found.values())


def approving_unconfirmed(data):
    """An approval from the edit view (which publishes) without "Publish anyway" ticked in its form."""
    if not data.get("action-workflow-action") or data.get("workflow-action-name") != "approve":
        return False
    try:
        extra = json.loads(data.get("workflow-action-extra-data") or "{}")
    except ValueError:
        extra = {}
    return not (isinstance(extra, dict) and extra.get("publish_anyway"))


class LessonPageForm(WagtailAdminPageForm):
    def clean(self):
        cleaned_data = super().clean()
        if any(action in self.data for action in PUBLISH_ACTIONS) or approving_unconfirmed(self.data):
            documents = documents_in(cleaned_data.get("body"))
            problems = unreadable_documents(documents)
            for document in documents:
                if document.pk in problems:
                    self.add_error(
                        None,
                        ValidationError(
                            _(
                                "This lesson cannot be published: students cannot read the document "
                                "“%(title)s”. %(reason)s Replace the file under Documents (or remove it "
                                "from the lesson), then publish. You can save a draft meanwhile."
                            ),
                            code="unreadable_document",
                            params={"title": document.title, "reason": problems[document.pk]},
                        ),
                    )
        return cleaned_data


def unreadable_document_problems(page):
    """For the review workflow's approval (``courses.services.register_approval_check``): what
    students could not read in ``page``, a lesson's revision, one sentence per document."""
    body = getattr(page, "body", None)
    if body is None or page._meta.app_label != "lessons":
        return []
    documents = documents_in(body)
    problems = unreadable_documents(documents)
    return [
        _("Students cannot read the document “%(title)s”. %(reason)s")
        % {"title": document.title, "reason": problems[document.pk]}
        for document in documents
        if document.pk in problems
    ]
