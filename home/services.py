"""What other apps may ask of ``home``: the page tree's cache version and the view-restriction shortcut."""

from .content_version import bump as bump_content_version
from .content_version import cached as cached_under_content_version
from .content_version import current as content_version
from .restrictions import CachedViewRestrictionsMixin, public

__all__ = [
    "CachedViewRestrictionsMixin",
    "bump_content_version",
    "cached_under_content_version",
    "content_version",
    "public",
]
