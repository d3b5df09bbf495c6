"""Have the worker read every document whose facts are missing: PDFs read before thumbnails
existed (a page count, no thumbnail), or saved while the broker was down.

The task is idempotent and a document already read is skipped, so running this twice is
harmless. Documents recorded as unreadable (damaged, password-protected) are not retried.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from wagtail.documents import get_document_model

from media_library import services


class Command(BaseCommand):
    help = "Queue the worker's reading (page count, first-page thumbnail) of documents not read yet."

    def handle(self, *args, **options):
        count = 0
        with transaction.atomic():  # the tasks are sent when this commits
            for document in get_document_model().objects.iterator(chunk_size=500):
                count += services.enqueue_document_info(document)
        self.stdout.write(f"Queued {count} document(s) for reading.")
