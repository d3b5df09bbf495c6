"""A second language (French) beside the default English, and translations made through
wagtail-localize's own machinery (TranslationSource, Translation, its PO export and import), as
an editor and a translator make them. Loaded through ``pytest_plugins`` in tests/conftest.py."""

import polib
import pytest
from django.test import TestCase
from wagtail.models import Locale, Page, Site

BILINGUAL = [("en", "English"), ("fr", "French")]


@pytest.fixture
def french(settings, db):
    """French configured beside English (``LANGUAGES=en,fr``); its Locale row."""
    settings.LANGUAGES = BILINGUAL
    settings.WAGTAIL_CONTENT_LANGUAGES = BILINGUAL
    Site.clear_site_root_paths_cache()
    locale, _ = Locale.objects.get_or_create(language_code="fr")
    yield locale
    Site.clear_site_root_paths_cache()


def translate_tree(page, locale, strings=None):
    """Translate ``page`` and every page below it into ``locale`` with wagtail-localize (its parents
    are copied as Wagtail needs them), then fill each translation from ``strings`` ({English:
    French}) through a PO file, as a translator's round trip does, and publish it. Strings not in
    ``strings`` stay English (wagtail-localize's fallback). Returns {source page id: translation}."""
    from wagtail_localize.models import Translation
    from wagtail_localize.operations import translate_object

    # wagtail-localize publishes once the transaction commits (a test's never does): each page
    # is translated in a commit of its own, parents first, as an editor submits them; publishing
    # all at the end would save parents with the child count they had before their children.
    sources = [page, *page.get_descendants().order_by("path")]
    for source in sources:
        with TestCase.captureOnCommitCallbacks(execute=True):
            translate_object(source, [locale])
    strings = strings or {}
    pages = {}
    for source in sources:
        translation = Translation.objects.get(source__object_id=source.translation_key, target_locale=locale)
        po = polib.pofile(str(translation.export_po()))  # the text a translator gets back
        for entry in po:
            entry.msgstr = strings.get(entry.msgid, entry.msgstr)
        translation.import_po(po)
        with TestCase.captureOnCommitCallbacks(execute=True):
            translation.save_target(publish=True)
        pages[source.pk] = Page.objects.get(translation_key=source.translation_key, locale=locale).specific
    return pages
