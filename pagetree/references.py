"""Which pages use an item (an image, a document, a media item), by Wagtail's reference index."""

from django.contrib.contenttypes.models import ContentType
from wagtail.models import Page, ReferenceIndex


def ids_of_pages_using(item):
    """The ids of the pages whose saved content refers to ``item`` (one query).

    The reference index holds each page's saved content, not a newer draft.
    """
    page_ids = (
        ReferenceIndex.get_references_to(item)
        .filter(base_content_type=ContentType.objects.get_for_model(Page))
        .values_list("object_id", flat=True)
    )
    return [int(pk) for pk in page_ids]
