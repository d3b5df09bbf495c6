"""Signal handlers of the lessons app, connected in ``LessonsConfig.ready()``."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.documents import get_document_model
from wagtail.models import ReferenceIndex

from media_library.models import DocumentInfo, Media, Rendition
from pagetree.services import bump_content_version


def media_version_replaced(sender, instance, **kwargs):
    """A media item's old renditions go when its new version goes live: pages that play it
    (found through Wagtail's reference index) must be rendered again, with the new URLs."""
    # By id: when the item itself is being deleted, its row may already be gone.
    if ReferenceIndex.get_references_to(Media(pk=instance.media_id)).exists():
        bump_content_version()
        transaction.on_commit(bump_content_version)


def document_info_recorded(sender, instance, **kwargs):
    """The worker read a document (page count, thumbnail): cached pages showing it must show them."""
    if ReferenceIndex.get_references_to(get_document_model()(pk=instance.document_id)).exists():
        transaction.on_commit(bump_content_version)


def completion_written(sender, instance, **kwargs):
    """A lesson completion was saved or deleted: the answers kept about its student go
    (their course page's ticks and the dashboard's progress)."""
    from courses.services import learner_records_changed

    learner_records_changed(instance.user_id)


def connect():
    from .models import LessonCompletion

    post_save.connect(completion_written, sender=LessonCompletion, dispatch_uid="lessons.completion_saved")
    post_delete.connect(completion_written, sender=LessonCompletion, dispatch_uid="lessons.completion_gone")
    post_delete.connect(
        media_version_replaced, sender=Rendition, dispatch_uid="lessons.media_version_replaced"
    )
    post_save.connect(
        document_info_recorded, sender=DocumentInfo, dispatch_uid="lessons.document_info_recorded"
    )
