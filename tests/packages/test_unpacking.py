"""Packages checked and unpacked: SCORM 1.2 and 2004 manifests and H5P files read, bad packages refused
with a message naming the problem, in the upload form and in the worker."""

import posixpath

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from demo.content_packages import h5p_package, scorm12_package, scorm2004_package
from packages.models import ContentPackage
from packages.tasks import sweep_packages, unpack_package
from tests.packages import factories

pytestmark = pytest.mark.django_db


def stored_count(prefix):
    if not default_storage.exists(prefix):
        return 0
    dirs, files = default_storage.listdir(prefix)
    return len(files) + sum(stored_count(posixpath.join(prefix, d)) for d in dirs)


def stored_names(package):
    names = []

    def walk(prefix):
        dirs, files = default_storage.listdir(prefix)
        names.extend(posixpath.join(prefix, f) for f in files)
        for d in dirs:
            walk(posixpath.join(prefix, d))

    walk(package.version_prefix())
    return sorted(n[len(package.version_prefix()) + 1 :] for n in names)


def test_a_scorm_12_package_is_read_and_unpacked_under_a_version_prefix():
    package = factories.ready_package(title="", data=scorm12_package("Quick check"))

    assert (package.status, package.kind, package.standard_version) == ("ready", "scorm12", "1.2")
    assert package.title == "Quick check"  # taken from the manifest's organisation
    assert package.launch_path == "index.html"
    assert package.mastery_score == pytest.approx(0.6)  # adlcp:masteryscore 60
    assert package.details["items"][0]["identifier"] == "item-1"
    assert package.details["resources"][0]["type"] == "sco"
    assert stored_names(package) == ["imsmanifest.xml", "index.html", "sco.css", "sco12.js"]
    assert (package.file_count, package.error) == (4, "")


def test_a_scorm_2004_package_gives_its_edition_and_scaled_passing_score():
    package = factories.ready_package(data=scorm2004_package())

    assert (package.kind, package.standard_version) == ("scorm2004", "2004 4th Edition")
    assert package.mastery_score == pytest.approx(0.7)  # imsss:minNormalizedMeasure
    assert package.launch_path == "index.html"


def test_an_h5p_file_is_read_with_the_libraries_it_carries():
    package = factories.ready_package(data=h5p_package(), name="choice.h5p")

    assert (package.kind, package.standard_version) == ("h5p", "H5P.RingletChoice 1.0")
    assert package.details["libraries"] == ["H5P.RingletChoice-1.0", "H5P.RingletFeedback-1.0"]
    assert "H5P.RingletChoice-1.0/ringlet-choice.js" in stored_names(package)
    assert "content/content.json" in stored_names(package)


@pytest.mark.parametrize(
    ("builder", "message"),
    [
        (factories.no_manifest, "it has no imsmanifest.xml (SCORM) or h5p.json (H5P) at its top level"),
        (factories.traversal_package, "The package has a file outside its own folder (“../../outside.txt”)"),
        (factories.manifest_naming_a_missing_file, "imsmanifest.xml names “sco12.js” (resource “sco-1”)"),
        (factories.h5p_without_libraries, "does not carry the libraries it needs (H5P.RingletChoice 1.0)"),
        (factories.absolute_url_package, "points outside the package (“https://cdn.example.com/course/"),
        (lambda: b"%PDF-1.4 not a zip", "This file is not a zip archive"),
    ],
)
def test_the_worker_refuses_a_bad_package_naming_the_problem_and_stores_nothing(builder, message):
    package = factories.make_package(data=builder())

    assert unpack_package.apply(args=(package.pk,)).get() == "refused"

    package.refresh_from_db()
    assert package.status == ContentPackage.Status.FAILED
    assert message in package.error
    assert stored_count(package.root_prefix()) == 0
    assert not default_storage.exists("outside.txt")


@override_settings(PACKAGE_MAX_UNPACKED_MB=5)
def test_a_zip_bomb_is_refused_by_its_unpacked_size_before_anything_is_written():
    data = factories.zip_bomb(megabytes=40)
    assert len(data) < 200 * 1024  # 40 MiB of zeros in a few dozen KiB
    package = factories.make_package(data=data)

    assert unpack_package.apply(args=(package.pk,)).get() == "refused"

    package.refresh_from_db()
    assert "Unpacked, the package would take more than 5.0 MiB" in package.error
    assert "zip bomb" in package.error


@override_settings(PACKAGE_MAX_FILES=3)
def test_a_package_with_more_files_than_the_cap_is_refused():
    package = factories.make_package(data=scorm12_package())

    unpack_package.apply(args=(package.pk,)).get()

    package.refresh_from_db()
    assert package.error == "The package has more than 3 files, the limit (PACKAGE_MAX_FILES)."


def test_a_replaced_file_is_unpacked_under_a_new_version_and_the_old_one_deleted():
    package = factories.ready_package(data=scorm12_package())
    first = package.version_prefix()
    package.file.save("three-pages.zip", ContentFile(scorm2004_package()))

    assert unpack_package.apply(args=(package.pk,)).get() == "ready"

    package.refresh_from_db()
    assert package.kind == "scorm2004"
    assert package.version_prefix() != first
    assert not default_storage.exists(posixpath.join(first, "index.html"))
    assert default_storage.exists(posixpath.join(package.version_prefix(), "sco2004.js"))


def test_a_refused_replacement_keeps_the_previous_version_playing():
    package = factories.ready_package(data=scorm12_package())
    version = package.version
    package.file.save("broken.zip", ContentFile(factories.no_manifest()))

    unpack_package.apply(args=(package.pk,)).get()

    package.refresh_from_db()
    assert (package.status, package.version) == ("failed", version)
    assert default_storage.exists(posixpath.join(package.version_prefix(), "index.html"))


def test_deleting_a_package_deletes_its_files(django_capture_on_commit_callbacks):
    package = factories.ready_package()
    prefix, original = package.version_prefix(), package.file.name

    with django_capture_on_commit_callbacks(execute=True):
        package.delete()

    assert not default_storage.exists(posixpath.join(prefix, "index.html"))
    assert not default_storage.exists(original)


def test_the_sweep_queues_packages_the_broker_never_got(django_capture_on_commit_callbacks):
    package = factories.make_package()
    ContentPackage.objects.filter(pk=package.pk).update(
        status_changed_at=package.created_at.replace(year=2020)
    )

    assert sweep_packages.apply().get() == 1


# --- The admin -------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("boss", "boss@example.com", "pw"))
    return client


def upload(client, data, name="package.zip", title="Uploaded"):
    from wagtail.models import Collection

    return client.post(
        reverse("content_packages:add"),
        {
            "title": title,
            "file": SimpleUploadedFile(name, data),
            "collection": Collection.get_first_root_node().pk,
        },
    )


def test_an_upload_in_the_admin_is_saved_pending_and_unpacked_after_commit(
    admin_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = upload(admin_client, scorm12_package())

    assert response.status_code == 302, response.context["form"].errors
    package = ContentPackage.objects.get()
    assert (package.status, package.uploaded_by_user.username) == ("pending", "boss")
    assert len(callbacks) == 1  # the unpacking, handed to the broker once the row is committed


@pytest.mark.parametrize(
    ("builder", "message"),
    [
        (factories.traversal_package, "outside its own folder"),
        (factories.no_manifest, "This is not a SCORM package or an H5P file"),
        (factories.manifest_naming_a_missing_file, "which is not in the package"),
        (factories.h5p_without_libraries, "does not carry the libraries it needs"),
    ],
)
def test_the_upload_form_refuses_a_bad_package_at_once(admin_client, builder, message):
    response = upload(admin_client, builder())

    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors["file"])
    assert not ContentPackage.objects.exists()


@override_settings(PACKAGE_MAX_UPLOAD_MB=1)
def test_the_upload_form_refuses_a_file_over_the_size_limit(admin_client):
    response = upload(admin_client, b"PK" + b"\0" * (1024 * 1024 + 10))

    errors = response.context["form"].errors["file"]
    assert errors == [
        "This file is too large: 1.0 MiB; the limit for a content package is 1.0 MiB. Export it with "
        "smaller media, or ask an administrator to raise PACKAGE_MAX_UPLOAD_MB."
    ]


def test_the_admin_lists_packages_with_their_status(admin_client):
    factories.ready_package(title="Quick check")
    broken = factories.make_package(title="Broken", data=factories.no_manifest())
    unpack_package.apply(args=(broken.pk,)).get()

    page = admin_client.get(reverse("content_packages:index")).content.decode()
    assert "Quick check" in page and "Ready" in page
    assert "Broken" in page and "Refused" in page
    edit = admin_client.get(reverse("content_packages:edit", args=(broken.pk,))).content.decode()
    assert "it has no imsmanifest.xml" in edit
