"""What other apps may ask of the page-tree kernel: the tree's cache version and cached view restrictions.

``pagetree`` is the ground floor for everything built on Wagtail's page tree (beside
``accounts``): every cached answer derived from the tree is stored under one version that any
change to the tree replaces (``content_version``), and Wagtail's view-restriction check is
answered from that cache (``restrictions``). The generic StreamField blocks are in
``pagetree.blocks``.
"""

from .content_version import bump as bump_content_version
from .content_version import cached as cached_under_content_version
from .content_version import current as content_version
from .references import ids_of_pages_using
from .restrictions import CachedViewRestrictionsMixin, public
from .sites import find_site
from .translations import has_translations, in_language, source_id, source_ids, source_page, translation_in

__all__ = [
    "CachedViewRestrictionsMixin",
    "bump_content_version",
    "cached_under_content_version",
    "content_version",
    "find_site",
    "has_translations",
    "ids_of_pages_using",
    "in_language",
    "public",
    "source_id",
    "source_ids",
    "source_page",
    "translation_in",
]
