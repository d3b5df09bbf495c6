"""Give seek previews to the videos encoded before the worker made them (or whose preview step
failed): each ready video whose live version has no ``thumbs`` rendition gets a thumbnail-only
task through the outbox, which reads its smallest rendition and encodes nothing again.

The task is idempotent (an item that has previews by the time it runs is skipped), so running
this twice is harmless.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from media_library.tasks import enqueue_seek_previews, without_seek_previews


class Command(BaseCommand):
    help = "Queue seek-preview thumbnails for ready videos that have none."

    def handle(self, *args, **options):
        count = 0
        with transaction.atomic():  # the tasks are sent when this commits
            for media_id in without_seek_previews().values_list("pk", flat=True).iterator(chunk_size=500):
                enqueue_seek_previews(media_id)
                count += 1
        self.stdout.write(f"Queued seek previews for {count} video(s).")
