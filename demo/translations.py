# ruff: noqa: RUF001 (French typography uses the typographic apostrophe)
"""The demo in French: the demo's page tree translated with wagtail-localize (``make run``).

When ``LANGUAGES`` includes ``fr`` (the dev settings' default), every demo page gets a French
translation made by wagtail-localize's own machinery (a ``TranslationSource`` per page, a
``Translation`` per page and language), then filled from the French strings below through a PO
file, the round trip a translator makes (README, "Languages"). Strings not listed fall back to
English, as wagtail-localize does for a translation in progress; an editor finishes them in
the admin's translation editor. Idempotent: a page already translated is updated, not copied.

Each page is translated in a transaction of its own, parents first: wagtail-localize publishes
on commit, and publishing parents after their children were added would save them with the
child count they had before (Wagtail's ``with_content_json`` keeps the in-memory ``numchild``).
"""

import polib
from django.conf import settings
from django.db import transaction
from wagtail.models import Locale, Page

FRENCH = {
    # Home page
    "Ringlet": "Ringlet",
    "Learn at your own pace": "Apprenez à votre rythme",
    "Ringlet hosts video courses with captioned lessons, downloads and progress tracking. "
    "Browse the catalogue, enroll and pick up where you left off.": "Ringlet héberge des cours vidéo aux "
    "leçons sous-titrées, avec des documents à télécharger et le suivi de votre progression. Parcourez "
    "le catalogue, inscrivez-vous et reprenez là où vous en étiez.",
    "Ringlet: open video courses you can start today": "Ringlet : des cours vidéo ouverts, à commencer dès "
    "aujourd’hui",
    "Short video courses with captions, free preview lessons and progress tracking. "
    "Browse the catalogue, try a lesson and enroll for free.": "Des cours vidéo courts, sous-titrés, avec "
    "des leçons en aperçu gratuit et le suivi de votre progression. Parcourez le catalogue, essayez une "
    "leçon et inscrivez-vous gratuitement.",
    "Short video courses with captions, free preview lessons and progress tracking. Try a lesson now; "
    "enroll for free when you want the rest.": "Des cours vidéo courts, sous-titrés, avec des leçons en "
    "aperçu gratuit et le suivi de votre progression. Essayez une leçon maintenant ; inscrivez-vous "
    "gratuitement quand vous voulez la suite.",
    "Browse the courses": "Parcourir les cours",
    "Continue learning": "Continuer à apprendre",
    "Featured courses": "Cours à la une",
    "Browse by topic": "Parcourir par thème",
    # Catalogue
    "Courses": "Cours",
    # Courses
    "Wagtail for beginners": "Wagtail pour débutants",
    "Build a small site with Wagtail: pages, StreamField blocks, images and documents.": "Construisez un "
    "petit site avec Wagtail : pages, blocs StreamField, images et documents.",
    "Model content as a page tree": "Modéliser le contenu comme un arbre de pages",
    "Compose pages from StreamField blocks": "Composer des pages avec des blocs StreamField",
    "Publish and preview": "Publier et prévisualiser",
    "Python foundations": "Les bases de Python",
    "Variables, functions and data structures: the Python you need before Django.": "Variables, fonctions "
    "et structures de données : le Python qu’il faut connaître avant Django.",
    "Write and run small Python programs": "Écrire et exécuter de petits programmes Python",
    "Use lists and dictionaries": "Utiliser les listes et les dictionnaires",
    "Read tracebacks": "Lire une trace d’erreur",
    "Audio and video for learning": "L’audio et la vidéo pour apprendre",
    "Record clear narration and short screen videos, then publish them in a course.": "Enregistrez une "
    "narration claire et de courtes vidéos d’écran, puis publiez-les dans un cours.",
    "Record clean audio": "Enregistrer un son propre",
    "Encode video for the web": "Encoder la vidéo pour le web",
    "Write useful transcripts": "Rédiger des transcriptions utiles",
    # Modules
    "Getting started": "Premiers pas",
    "Content with StreamField": "Du contenu avec StreamField",
    "The basics": "Les bases",
    "Recording": "Enregistrer",
    "Publishing": "Publier",
    # Lesson blocks
    "Check your understanding": "Vérifiez vos connaissances",
    "Use the outline to jump between lessons.": "Utilisez le plan pour passer d’une leçon à l’autre.",
    "Take your time; nothing here is timed.": "Prenez votre temps : rien n’est chronométré ici.",
    "Try a SCORM package": "Essayer un paquet SCORM",
    "Try an H5P activity": "Essayer une activité H5P",
    "Cheat sheet": "Aide-mémoire",
    "The handout as a PDF.": "Le support de cours en PDF.",
    "An embedded card.": "Une carte intégrée.",
    "Try it": "À vous",
}


def ensure_french(home, strings=FRENCH):
    """Translate ``home`` and every page below it into French (when the site has French); returns
    how many pages have a French translation, or None without French in ``LANGUAGES``."""
    if "fr" not in dict(settings.LANGUAGES):
        return None
    from wagtail_localize.models import Translation
    from wagtail_localize.operations import translate_object

    locale, _ = Locale.objects.get_or_create(language_code="fr")
    sources = [home, *Page.objects.descendant_of(home).filter(locale=home.locale).order_by("path")]
    for source in sources:
        # A transaction per page: its translation is published as it commits, before its children.
        with transaction.atomic():
            translate_object(source.specific, [locale])
        translation = Translation.objects.get(source__object_id=source.translation_key, target_locale=locale)
        po = polib.pofile(str(translation.export_po()))
        for entry in po:
            entry.msgstr = strings.get(entry.msgid, entry.msgstr)
        translation.import_po(po)
        with transaction.atomic():
            translation.save_target(publish=True)
    return len(sources)
