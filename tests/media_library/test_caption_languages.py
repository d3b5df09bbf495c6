"""Which caption track a page shows by default: the one in the page's language (README,
"Languages"); whether captions start on stays the editor's choice."""

from types import SimpleNamespace

from media_library.languages import captions_for_language, same_language


def tracks(*specs):
    return [SimpleNamespace(language=language, is_default=default) for language, default in specs]


def defaults(result):
    return [(t.language, t.is_default) for t in result]


def test_the_page_languages_track_becomes_the_default_one_and_comes_first():
    result = captions_for_language(tracks(("en", True), ("fr", False)), "fr")
    assert defaults(result) == [("fr", True), ("en", False)]


def test_captions_stay_off_when_the_editor_marked_no_track_default():
    result = captions_for_language(tracks(("en", False), ("fr", False)), "fr")
    assert defaults(result) == [("fr", False), ("en", False)]


def test_without_a_track_in_the_page_language_the_editors_default_stays():
    result = captions_for_language(tracks(("en", False), ("de", True)), "fr")
    assert defaults(result) == [("en", False), ("de", True)]


def test_a_regional_track_serves_its_language_and_an_exact_one_wins():
    assert defaults(captions_for_language(tracks(("en", True), ("fr-CA", False)), "fr")) == [
        ("fr-CA", True),
        ("en", False),
    ]
    result = captions_for_language(tracks(("fr-CA", True), ("fr", False)), "fr")
    assert defaults(result) == [("fr", True), ("fr-CA", False)]
    assert same_language("pt-BR", "pt") and not same_language("pt", "es")
