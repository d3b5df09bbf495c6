"""What other apps may ask of the page-tree kernel: the tree's cache version and cached view restrictions.

``pagetree`` is the ground floor for everything built on Wagtail's page tree (beside
``accounts``): every cached answer derived from the tree is stored under one version that any
change to the tree replaces (``content_version``), and Wagtail's view-restriction check is
answered from that cache (``restrictions``). The generic StreamField blocks are in
``pagetree.blocks``.
"""

from .content_version import KEY as CONTENT_VERSION_KEY
from .content_version import MISSING as NOT_REMEMBERED
from .content_version import bump as bump_content_version
from .content_version import cached as cached_under_content_version
from .content_version import current as content_version
from .content_version import page as page_under_content_version
from .content_version import provide as provide_content_version
from .content_version import remember as remember_under_content_version
from .content_version import remembered as remembered_under_content_version
from .content_version import remembered_latest as remembered_under_latest_version
from .references import ids_of_pages_using
from .restrictions import CachedViewRestrictionsMixin, public
from .sites import find_site, site_root_paths
from .translations import has_translations, in_language, source_id, source_ids, source_page, translation_in

__all__ = [
    "CONTENT_VERSION_KEY",
    "NOT_REMEMBERED",
    "CachedViewRestrictionsMixin",
    "bump_content_version",
    "cached_under_content_version",
    "content_version",
    "find_site",
    "has_translations",
    "ids_of_pages_using",
    "in_language",
    "page_under_content_version",
    "provide_content_version",
    "public",
    "remember_under_content_version",
    "remembered_under_content_version",
    "remembered_under_latest_version",
    "site_root_paths",
    "source_id",
    "source_ids",
    "source_page",
    "translation_in",
]
