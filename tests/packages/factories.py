"""Content packages for the tests: the demo's valid ones, broken variants, and helpers to store them."""

import io
import zipfile

from django.core.files.base import ContentFile

from demo.content_packages import h5p_files, h5p_package, scorm12_files, scorm2004_package, zip_bytes


def zip_with(files, infos=()):
    """A zip of ``files`` plus raw ``(ZipInfo, bytes)`` entries (for names zipfile would not write)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        for info, data in infos:
            archive.writestr(info, data)
    return buffer.getvalue()


def zip_bomb(megabytes):
    """A valid SCORM package plus ``megabytes`` MiB of zeros that deflate to a few KiB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in scorm12_files().items():
            archive.writestr(name, data)
        with archive.open("padding.bin", "w", force_zip64=True) as fh:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(megabytes):
                fh.write(chunk)
    return buffer.getvalue()


def traversal_package():
    evil = zipfile.ZipInfo("../../outside.txt")
    return zip_with(scorm12_files(), infos=[(evil, b"escaped")])


def manifest_naming_a_missing_file():
    files = scorm12_files()
    del files["sco12.js"]  # the manifest lists it
    return zip_bytes(files)


def no_manifest():
    files = scorm12_files()
    del files["imsmanifest.xml"]
    return zip_bytes(files)


def h5p_without_libraries():
    return h5p_package(with_libraries=False)


def absolute_url_package():
    files = scorm12_files()
    files["imsmanifest.xml"] = files["imsmanifest.xml"].replace(
        'href="index.html"', 'href="https://cdn.example.com/course/index.html"'
    )
    return zip_bytes(files)


def make_package(title="Quick check", data=None, name="quick-check.zip", **fields):
    """A ContentPackage row holding ``data`` (a SCORM 1.2 package by default), not unpacked yet."""
    from demo.content_packages import scorm12_package
    from packages.models import ContentPackage

    content = data if data is not None else scorm12_package()
    return ContentPackage.objects.create(title=title, file=ContentFile(content, name=name), **fields)


def ready_package(title="Quick check", data=None, name="quick-check.zip", **fields):
    """A package unpacked by the worker's task, run here in the test process."""
    from packages.models import ContentPackage
    from packages.tasks import unpack_package
    from tests.processes import wait_for

    package = make_package(title, data, name, **fields)
    if unpack_package.apply(args=(package.pk,)).get() == "busy":
        # A Celery worker started by an earlier test got the upload's own task first.
        wait_for(lambda: ContentPackage.objects.get(pk=package.pk).is_ready, message="the worker's unpack")
    package.refresh_from_db()
    assert package.is_ready, package.error
    return package


__all__ = [
    "absolute_url_package",
    "h5p_files",
    "h5p_package",
    "h5p_without_libraries",
    "make_package",
    "manifest_naming_a_missing_file",
    "no_manifest",
    "ready_package",
    "scorm2004_package",
    "traversal_package",
    "zip_bomb",
]
