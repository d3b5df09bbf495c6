"""A package's refusal is stored as a code and its parameters and worded in the reader's
language (README, "Languages"): a package the worker refused while speaking French keeps
English as its stored sentence and reads in French, or English, on its status panel; the
upload form refuses in the editor's language."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from packages import refusals
from packages.models import ContentPackage
from packages.tasks import unpack_package
from tests.packages import factories

pytestmark = pytest.mark.django_db

CASES = [
    (
        factories.traversal_package,
        "climbs_out",
        "The package has a file outside its own folder (“../../outside.txt”)",
        "Le paquet contient un fichier hors de son propre dossier («\u00a0../../outside.txt\u00a0»)",
    ),
    (
        factories.absolute_url_package,
        "points_elsewhere",
        "Resource “sco-1” points outside the package",
        "La ressource «\u00a0sco-1\u00a0» pointe hors du paquet",
    ),
    (
        lambda: b"%PDF-1.4 not a zip",
        "not_a_zip",
        "This file is not a zip archive",
        "Ce fichier n\u2019est pas une archive zip",
    ),
]


@pytest.mark.parametrize(("builder", "code", "english", "french_text"), CASES)
def test_a_refused_package_reads_in_the_editors_language(
    client, admin_user, french, builder, code, english, french_text
):
    package = factories.make_package(data=builder())
    with translation.override("fr"):  # whatever the worker speaks, what it stores is a code
        assert unpack_package.apply(args=(package.pk,)).get() == "refused"
    package.refresh_from_db()
    assert (package.status, package.error_code) == (ContentPackage.Status.FAILED, code)
    assert english in package.error  # the site's default language, for the log

    client.force_login(admin_user)
    for language, expected, other in [("fr", french_text, english), ("en", english, french_text)]:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        page = client.get(reverse("content_packages:edit", args=[package.pk])).content.decode()
        assert expected in page and other not in page, language


def test_the_upload_form_refuses_in_the_editors_language(client, admin_user, french):
    from wagtail.models import Collection

    root = Collection.get_first_root_node()
    client.force_login(admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.post(
        reverse("content_packages:add"),
        {"title": "", "file": SimpleUploadedFile("p.zip", factories.no_manifest()), "collection": root.pk},
    )
    errors = response.context["form"].errors["file"]
    assert any(error.startswith("Ce n\u2019est ni un paquet SCORM ni un fichier H5P") for error in errors), (
        errors
    )


def test_every_refusal_has_its_french_and_an_unknown_code_keeps_the_stored_sentence():
    with translation.override("fr"):
        for code, template in refusals.REFUSALS.items():
            assert translation.gettext(template) != template, code
        nested = refusals.render(
            "out_of_range", {"what": refusals.phrase("mastery_score"), "value": "120", "low": 0, "high": 100}
        )
    assert nested.startswith("imsmanifest.xml donne pour le score de maîtrise 120")
    old = ContentPackage(error="Stored before codes")
    assert old.error_message == "Stored before codes"
    assert ContentPackage(error="Kept", error_code="from_a_newer_version").error_message == "Kept"
