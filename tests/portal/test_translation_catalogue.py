"""The French catalogue is complete and its committed .mo is the compiled .po (README, "Languages")."""

from pathlib import Path

import polib
from django.conf import settings
from django.utils import translation

CATALOGUE = Path(settings.BASE_DIR) / "portal" / "locale" / "fr" / "LC_MESSAGES"


def test_every_message_has_a_french_translation_and_none_is_fuzzy():
    po = polib.pofile(str(CATALOGUE / "django.po"))
    assert not po.metadata_is_fuzzy
    assert po.metadata["Plural-Forms"] == "nplurals=2; plural=(n > 1);"
    assert [entry.msgid for entry in po.untranslated_entries()] == []
    assert [entry.msgid for entry in po.fuzzy_entries()] == []


def test_the_committed_mo_is_the_compiled_po():
    po = polib.pofile(str(CATALOGUE / "django.po"))
    mo = polib.mofile(str(CATALOGUE / "django.mo"))
    compiled = {
        (entry.msgctxt, entry.msgid): (entry.msgstr, entry.msgstr_plural) for entry in mo if entry.msgid
    }
    source = {
        (entry.msgctxt, entry.msgid): (entry.msgstr, entry.msgstr_plural)
        for entry in po.translated_entries()
        if not entry.obsolete
    }
    assert compiled == source


def test_django_reads_it_with_french_plurals():
    with translation.override("fr"):
        assert translation.gettext("My courses") == "Mes cours"
        one = translation.ngettext("%(counter)s course", "%(counter)s courses", 1) % {"counter": 1}
        assert one == "1 cours"
        assert (
            translation.ngettext("%(allowed)s attempt allowed.", "%(allowed)s attempts allowed.", 0)
            % {"allowed": 0}
            == "0 tentative autorisée."
        )  # French: 0 is singular
