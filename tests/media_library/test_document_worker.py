"""The real worker reads the demo's PDFs: page count and first-page thumbnail (issue 16, item 5)."""

import pytest
from django.core.files.storage import default_storage

from demo.lessons import demo_assets
from media_library import services
from media_library.models import DocumentInfo
from tests.processes import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def read_by_worker(document):
    return wait_for(
        lambda: DocumentInfo.objects.filter(document=document).exclude(thumbnail="").first(),
        timeout=60,
        message=f"the worker to read {document.title}",
    )


def test_the_demos_pdfs_get_a_thumbnail_and_page_count_from_the_worker_and_old_ones_are_read_again(
    celery_worker,
):
    handout = demo_assets()["handout"]  # saving it queues the worker's reading, on commit

    info = read_by_worker(handout)
    assert (info.page_count, info.error) == (1, "")
    assert default_storage.exists(info.thumbnail.name)
    facts = services.document_facts(handout)
    assert facts.page_count == 1 and facts.thumbnail_url and facts.thumbnail_width == 480

    # A document from a demo made before thumbnails: the next `make run` has it read again.
    old = info.thumbnail.name
    DocumentInfo.objects.filter(pk=info.pk).update(thumbnail="", thumbnail_width=None, thumbnail_height=None)
    handout = demo_assets()["handout"]
    info = read_by_worker(handout)
    assert info.page_count == 1 and info.thumbnail.name != old
