"""Which pages visitors can reach: live, with no unpublished page above them.

Wagtail routes through an unpublished parent and only checks the last page, so a live
lesson under a draft course or module would otherwise be served and listed. Listings
filter with ``reachable``; a single page is checked with ``is_reachable``: one rule.

The tree conditions are written so PostgreSQL can answer them from an index (issue 10: the
catalogue search over 50,000 lessons): the portable forms (``LIKE path || '%'``,
``path = SUBSTR(other, 1, LENGTH(path))``) depend on both rows and make PostgreSQL scan the
page table once per row compared. ``courses/migrations/0008`` adds the partial index on
unpublished pages' paths that the ancestor check probes.
"""

from django.db.models import BooleanField, Exists, F, Func, OuterRef
from wagtail.models import Page

from pagetree.services import cached_under_content_version

# A character above every one of treebeard's path digits, so ``path < parent + TOP`` holds for
# every descendant of ``parent`` (byte order).
_TOP = chr(max(map(ord, Page.alphabet)) + 1)


class IsAncestorOrSelf(Func):
    """``ancestor`` is the path of ``path``'s page or of one of the pages above it."""

    arity = 2
    output_field = BooleanField()
    template = "%(expressions)s"

    def as_sql(self, compiler, connection, **extra_context):
        (ancestor, ancestor_params), (path, path_params) = (
            compiler.compile(e) for e in self.source_expressions
        )
        return f"{ancestor} = SUBSTR({path}, 1, LENGTH({ancestor}))", [
            *ancestor_params,
            *path_params,
            *ancestor_params,
        ]

    def as_postgresql(self, compiler, connection, **extra_context):
        # The page's own ancestor paths, one per level, compared with = ANY: an index probe each.
        (ancestor, ancestor_params), (path, path_params) = (
            compiler.compile(e) for e in self.source_expressions
        )
        step = Page.steplen
        # The interpolated parts are SQL compiled by Django from column references; the
        # step is a parameter.
        sql = (
            f"{ancestor} = ANY(ARRAY(SELECT SUBSTRING({path}, 1, level * %s) "  # noqa: S608
            f"FROM generate_series(1, LENGTH({path}) / %s) AS level))"
        )
        return sql, [*ancestor_params, *path_params, step, *path_params, step]


class IsBelow(Func):
    """``path`` is the path of a page below the page of path ``parent`` (not the page itself)."""

    arity = 2
    output_field = BooleanField()

    def _sql(self, compiler, greater, less):
        (path, path_params), (parent, parent_params) = (compiler.compile(e) for e in self.source_expressions)
        # Descendants' paths sort between the parent's and the parent's followed by _TOP.
        sql = f"({path} {greater} {parent} AND {path} {less} ({parent} || %s))"
        return sql, [*path_params, *parent_params, *path_params, *parent_params, _TOP]

    def as_sql(self, compiler, connection, **extra_context):
        return self._sql(compiler, ">", "<")  # SQLite compares text byte by byte (BINARY)

    def as_postgresql(self, compiler, connection, **extra_context):
        # The byte-order operators of the path's varchar_pattern_ops index, whatever the collation.
        (path, path_params), (parent, parent_params) = (compiler.compile(e) for e in self.source_expressions)
        sql = f"({path}::text ~>~ {parent}::text AND {path}::text ~<~ ({parent}::text || %s))"
        return sql, [*path_params, *parent_params, *path_params, *parent_params, _TOP]


def below(outer_path="path"):
    """A filter for pages below the page whose path is ``OuterRef(outer_path)`` (in a subquery)."""
    return IsBelow(F("path"), OuterRef(outer_path))


def reachable(pages):
    """Filter a page queryset to pages that are live and whose every ancestor is live."""
    hidden = Page.objects.filter(IsAncestorOrSelf(F("path"), OuterRef("path")), live=False)
    return pages.filter(~Exists(hidden))


def is_reachable(page):
    """Whether visitors can reach ``page``: it and every page above it are live (one query)."""
    if not page.live:
        return False
    # Whether the pages above are live: kept under the page tree's version, which any save replaces.
    return cached_under_content_version(
        f"courses:reachable:{page.pk}",
        lambda: reachable(Page.objects.filter(pk=page.pk)).exists(),
        60 * 60 * 24,
    )


def visible_pages(model, pages):
    """The ``model`` pages among ``pages`` (a Page queryset) that visitors can reach.

    Returned as a ``pk__in`` subquery, the one form Wagtail's search backend can filter on.
    """
    return model.objects.filter(pk__in=reachable(pages).values_list("pk", flat=True))
