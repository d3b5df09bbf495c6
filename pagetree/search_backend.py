"""Wagtail's database search backend, with PostgreSQL's text-search configuration per language.

PostgreSQL stems words by a configuration (``english``, ``french``...); Wagtail's backend has one
for everything (``SEARCH_CONFIG``). Here each translatable object (a page) is indexed with its
locale's configuration, and a search runs with the active language's, so a French search for
"leçons" finds "leçon" and the English site stems as before. Objects without a locale (images,
documents, media) and languages PostgreSQL has no configuration for use ``SEARCH_CONFIG`` (unset:
the server's ``default_text_search_config``, ``english`` on Debian). On SQLite (``make run``
without ``DATABASE_URL``) this is Wagtail's own backend, unchanged.

The index's rows are written by Wagtail's code; this module only chooses the configuration, by
handing Wagtail's indexer a copy of the backend set to each language in turn.
"""

import copy
from collections import defaultdict

from django.db import connection
from django.utils import translation
from wagtail.search.backends.database import SearchBackend as DatabaseSearchBackend

# ISO 639-1 codes and PostgreSQL's built-in text-search configurations (PostgreSQL 15).
POSTGRES_CONFIGS = {
    "ar": "arabic",
    "hy": "armenian",
    "eu": "basque",
    "ca": "catalan",
    "da": "danish",
    "nl": "dutch",
    "en": "english",
    "fi": "finnish",
    "fr": "french",
    "de": "german",
    "el": "greek",
    "hi": "hindi",
    "hu": "hungarian",
    "id": "indonesian",
    "ga": "irish",
    "it": "italian",
    "lt": "lithuanian",
    "ne": "nepali",
    "nb": "norwegian",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "es": "spanish",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}


def config_for(language_code, default=None):
    """PostgreSQL's configuration for ``language_code`` (``fr-ca`` → french), else ``default``."""
    if not language_code:
        return default
    return POSTGRES_CONFIGS.get(language_code.split("-")[0].lower(), default)


def SearchBackend(params):
    """The backend for WAGTAILSEARCH_BACKENDS: per-language on PostgreSQL, else Wagtail's own."""
    if connection.vendor != "postgresql":
        return DatabaseSearchBackend(params)
    from modelsearch.backends.database.postgres.postgres import (
        PostgresIndex,
        PostgresSearchBackend,
        PostgresSearchQueryCompiler,
    )
    from wagtail.models import Locale

    class LocalisedQueryCompiler(PostgresSearchQueryCompiler):
        def get_config(self, backend):
            return config_for(translation.get_language(), backend.config)

    class LocalisedIndex(PostgresIndex):
        def add_items(self, model, objs):
            objs = list(objs)
            if not any(hasattr(obj, "locale_id") for obj in objs):
                return super().add_items(model, objs)
            codes = dict(Locale.objects.values_list("pk", "language_code"))
            groups = defaultdict(list)
            for obj in objs:
                code = codes.get(getattr(obj, "locale_id", None))
                groups[config_for(code, self.backend.config)].append(obj)
            for config, group in groups.items():
                index = copy.copy(self)
                index.backend = copy.copy(self.backend)
                index.backend.config = config
                PostgresIndex.add_items(index, model, group)
            return None

    class LocalisedPostgresSearchBackend(PostgresSearchBackend):
        query_compiler_class = LocalisedQueryCompiler
        index_class = LocalisedIndex

    return LocalisedPostgresSearchBackend(params)
