"""One course across languages: which page a translated page stands for.

A page translated with wagtail-localize (or Wagtail's own copy for translation) is a page of
its own in another locale, sharing its ``translation_key`` with the original. What a student
does (enrolling, completing a lesson, a quiz attempt, a certificate) is stored against the
**source** page, the original that every translation was made from: the oldest page (lowest
id) with that key. So a student switching language keeps their progress, and the rows never
split between languages (README, "Languages").

The rules that store and read those rows (``courses.enrollment``, ``lessons.completion``,
``lessons.quiz``...) ask here first. On a site with no translation at all (a single-language
site, checked once per page-tree version) every page is its own source and no query is made.
"""

import hashlib

from django.db.models import Count, OuterRef, Subquery
from wagtail.models import Locale, Page

from .content_version import cached

TIMEOUT = 60 * 60 * 24


def _any_translation():
    if Locale.objects.count() < 2:  # one language: nothing can be a translation
        return False
    return (
        Page.objects.order_by()
        .values("translation_key")
        .annotate(pages=Count("pk"))
        .filter(pages__gt=1)
        .exists()
    )


def has_translations():
    """Whether any page has a translation (one cached answer per page-tree version)."""
    return cached("pagetree:has-translations", _any_translation, TIMEOUT)


def _sources(ids):
    oldest = Page.objects.filter(translation_key=OuterRef("translation_key")).order_by("pk").values("pk")[:1]
    rows = Page.objects.filter(pk__in=ids).annotate(source=Subquery(oldest)).values_list("pk", "source")
    return dict(rows)


def source_ids(ids):
    """``{id: id of its source page}`` for the page ids ``ids`` (a page not found maps to itself)."""
    ids = sorted({int(pk) for pk in ids if pk is not None})
    if not ids:
        return {}
    if not has_translations():
        return {pk: pk for pk in ids}
    digest = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()
    found = cached(f"pagetree:sources:{digest}", lambda: _sources(ids), TIMEOUT)
    return {pk: found.get(pk, pk) for pk in ids}


def source_id(page):
    """The id of ``page``'s source page (its own id when it is the original)."""
    if page is None or page.pk is None:
        return None
    return source_ids([page.pk])[page.pk]


def source_page(page):
    """``page``'s source page, of the same specific type (``page`` itself when it is the original)."""
    pk = source_id(page)
    if pk is None or pk == page.pk:
        return page
    return type(page).objects.filter(pk=pk).first() or page


def translation_in(page, locale_id):
    """The live translation of ``page`` in the locale ``locale_id``, of its specific type, or None."""
    if page.locale_id == locale_id:
        return page
    return type(page).objects.filter(translation_key=page.translation_key, locale_id=locale_id).live().first()


def in_language(page, language_code):
    """``page``'s live translation in ``language_code`` (a student's language: their emails and
    certificate), else ``page`` itself."""
    if page is None or not language_code or page.locale.language_code == language_code:
        return page
    locale = Locale.objects.filter(language_code=language_code).first()
    return (translation_in(page, locale.pk) if locale else None) or page
