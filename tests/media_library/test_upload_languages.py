"""The media uploaders' own words follow the editor's language (README, "Languages"): the
add form hands admin-upload.js and admin-resumable-upload.js their sentences as JSON on the
file input (data-i18n, no inline script), and the resumable upload API refuses in it too."""

import html
import json
import re

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client, admin_user):
    client.force_login(admin_user)
    return client


def uploader_words(page):
    """The JSON the add form's file input carries for the uploaders' scripts."""
    found = re.search(r'<input type="file"[^>]*data-i18n="([^"]*)"', page)
    assert found, "the file input carries no data-i18n"
    return json.loads(html.unescape(found.group(1)))


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_upload_page_gives_the_uploaders_their_words_in_the_editors_language(
    editor, french, settings, language
):
    settings.MEDIA_MAX_UPLOAD_MB = 2048
    editor.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = editor.get(reverse("wagtailmedia:add", args=("video",))).content.decode()
    words = uploader_words(page)
    if language == "fr":
        assert words["uploading"] == "Téléversement… {percent}\u00a0%"
        assert words["checking"] == "Téléversé\u00a0; vérification du fichier…"
        assert words["interrupted"].startswith("Le téléversement a été interrompu")
        assert words["tooLarge"].startswith("Ce fichier est trop volumineux\u00a0: {size}")
        assert "{limit}" in words["tooLarge"]
        assert "{status}" in words["partRefused"]
    else:
        assert words["uploading"] == "Uploading… {percent}%"
        assert words["tooLarge"].startswith("This file is too large: {size}; the limit is {limit}.")
    # Every sentence the scripts write is handed to them: none of theirs is left in English.
    scripts = "".join(
        (settings.BASE_DIR / "media_library/static/media_library" / name).read_text()
        for name in ("admin-upload.js", "admin-resumable-upload.js")
    )
    english = re.findall(r"var ENGLISH = \{(.*?)\n  \};", scripts, re.S)
    used = {key for block in english for key in re.findall(r"^\s+(\w+):", block, re.M)}
    assert used and used <= set(words)


def test_the_resumable_upload_api_refuses_in_the_editors_language(editor, french):
    editor.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    answer = editor.post(
        reverse("media_library_admin:upload_start"),
        {"filename": "a.mp4", "size": 10, "media_type": "video"},
        content_type="application/json",
    )
    assert answer.status_code == 409
    assert answer.json()["error"].startswith("Les téléversements reprenables")
