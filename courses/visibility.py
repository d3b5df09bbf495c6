"""Which pages visitors can reach: live, with no unpublished page above them.

Wagtail routes through an unpublished parent and only checks the last page, so a live
lesson under a draft course or module would otherwise be served and listed. Listings
filter with ``reachable``; a single page is checked with ``is_reachable``: one rule.
"""

from django.db.models import Exists, OuterRef
from django.db.models.functions import Length, Substr
from wagtail.models import Page


def reachable(pages):
    """Filter a page queryset to pages that are live and whose every ancestor is live."""
    hidden = Page.objects.filter(live=False, path=Substr(OuterRef("path"), 1, Length("path")))
    return pages.filter(~Exists(hidden))


def is_reachable(page):
    """Whether visitors can reach ``page``: it and every page above it are live (one query)."""
    return bool(page.live) and reachable(Page.objects.filter(pk=page.pk)).exists()


def visible_pages(model, pages):
    """The ``model`` pages among ``pages`` (a Page queryset) that visitors can reach.

    Returned as a ``pk__in`` subquery, the one form Wagtail's search backend can filter on.
    """
    return model.objects.filter(pk__in=reachable(pages).values_list("pk", flat=True))
