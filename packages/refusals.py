"""Why a content package is refused, as a code and its parameters (``ContentPackage.error_code``,
``error_params``), worded in the reader's language when shown: the unpacking worker has no
language of its own, and an editor reads the refusal in theirs. A parameter may itself be a
phrase (``phrase(code, ...)``), worded the same way. Pure Python: no model, no query."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

REFUSALS = {
    # describe
    "not_a_package": gettext_noop(
        "This is not a SCORM package or an H5P file: it has no imsmanifest.xml (SCORM) or h5p.json "
        "(H5P) at its top level."
    ),
    "not_a_package_nested": gettext_noop(
        "This is not a SCORM package or an H5P file: it has no imsmanifest.xml (SCORM) or h5p.json "
        "(H5P) at its top level. It has one inside a folder (“%(nested)s”): zip the folder's "
        "contents instead."
    ),
    # SCORM
    "manifest_too_large": gettext_noop("%(filename)s is too large to be a manifest (%(size)s bytes)."),
    "xml_entities": gettext_noop(
        "%(filename)s uses XML entities or a document type declaration, which Ringlet does not read."
    ),
    "xml_invalid": gettext_noop("%(filename)s is not valid XML: %(problem)s. Export the package again."),
    "scorm_version_unknown": gettext_noop(
        "imsmanifest.xml does not say which SCORM version it follows. Ringlet plays SCORM 1.2 and "
        "SCORM 2004: export the package as one of those."
    ),
    "scorm_version_unsupported": gettext_noop(
        "imsmanifest.xml does not say which SCORM version it follows (it says “%(version)s”). "
        "Ringlet plays SCORM 1.2 and SCORM 2004: export the package as one of those."
    ),
    "points_elsewhere": gettext_noop(
        "%(what)s points outside the package (“%(href)s”): a package must carry its own files, "
        "and Ringlet serves nothing from elsewhere."
    ),
    "points_outside": gettext_noop("%(what)s points outside the package (“%(href)s”)."),
    "resource": gettext_noop("Resource “%(identifier)s”"),
    "library": gettext_noop("Library %(library)s"),
    "mastery_score": gettext_noop("the mastery score"),
    "passing_score": gettext_noop("the passing score (minNormalizedMeasure)"),
    "not_a_number": gettext_noop("imsmanifest.xml gives %(what)s as “%(value)s”, which is not a number."),
    "out_of_range": gettext_noop(
        "imsmanifest.xml gives %(what)s as %(value)s; it must be between %(low)s and %(high)s."
    ),
    "not_a_manifest": gettext_noop(
        "imsmanifest.xml is not an IMS manifest (its root element is not <manifest>)."
    ),
    "no_resources": gettext_noop("imsmanifest.xml has no <resources>: it names nothing to play."),
    "missing_file": gettext_noop(
        "imsmanifest.xml names “%(path)s” (resource “%(identifier)s”), which is not in the package. "
        "Export the package again, with all its files."
    ),
    "nothing_to_launch": gettext_noop("imsmanifest.xml names no file to launch (no resource has an href)."),
    "undefined_resource": gettext_noop(
        "imsmanifest.xml's item “%(item)s” refers to resource “%(resource)s”, which the manifest "
        "does not define."
    ),
    # H5P
    "h5p_missing_json": gettext_noop("This H5P file has no %(name)s. Export it again from the H5P editor."),
    "json_too_large": gettext_noop("%(name)s is too large (%(size)s bytes)."),
    "json_invalid": gettext_noop("%(name)s is not valid JSON: %(problem)s."),
    "dependency_unnamed": gettext_noop("h5p.json lists a dependency without a machineName."),
    "no_main_library": gettext_noop("h5p.json does not name its main library (mainLibrary)."),
    "dependencies_not_a_list": gettext_noop("h5p.json's preloadedDependencies is not a list."),
    "main_library_missing": gettext_noop(
        "h5p.json's preloadedDependencies do not include its main library, %(library)s."
    ),
    "not_an_object": gettext_noop("%(name)s is not a JSON object."),
    "library_file_missing": gettext_noop(
        "%(name)s names “%(path)s”, which is not in the file. Export the H5P again."
    ),
    "libraries_missing": gettext_noop(
        "This H5P file does not carry the libraries it needs (%(libraries)s). Ringlet plays only H5P "
        "files that include their libraries: download it again from an H5P editor with the "
        "libraries included (h5p.org and Lumi do; some platforms export content only)."
    ),
    # The zip
    "too_large": gettext_noop(
        "This file is too large: %(size)s; the limit for a content package is %(limit)s. Export it "
        "with smaller media, or ask an administrator to raise PACKAGE_MAX_UPLOAD_MB."
    ),
    "entry_too_large": gettext_noop("“%(name)s” is larger than %(limit)s, too large to read."),
    "absolute_path": gettext_noop(
        "The package has a file with an absolute path (“%(name)s”). Zip the package's own folder."
    ),
    "climbs_out": gettext_noop(
        "The package has a file outside its own folder (“%(name)s”): a “..” in a path could write "
        "anywhere. Zip the package again from its folder."
    ),
    "not_a_zip": gettext_noop(
        "This file is not a zip archive (or it is damaged). Upload the .zip a SCORM tool exports, or "
        "an .h5p file."
    ),
    "encrypted": gettext_noop("“%(name)s” is encrypted; upload a package without a password."),
    "symbolic_link": gettext_noop("“%(name)s” is a symbolic link; a package must hold real files only."),
    "twice": gettext_noop("“%(name)s” appears twice in the zip. Zip the package again."),
    "too_many_files": gettext_noop(
        "The package has more than %(files)s files, the limit (PACKAGE_MAX_FILES)."
    ),
    "too_large_unpacked": gettext_noop(
        "Unpacked, the package would take more than %(limit)s (the limit, PACKAGE_MAX_UNPACKED_MB): "
        "it may be a zip bomb, or carry very large media."
    ),
    "zip_bomb": gettext_noop(
        "Unpacked, the package takes more than the limit (PACKAGE_MAX_UNPACKED_MB, %(limit)s), more "
        "than its headers declared: it looks like a zip bomb."
    ),
    "damaged_entry": gettext_noop(
        "“%(name)s” is damaged in the zip (%(problem)s). Export the package again."
    ),
    # The worker
    "server_error": gettext_noop(
        "The package could not be unpacked because of an error on the server (reference "
        "%(reference)s). Upload it again; if it fails again, tell an administrator."
    ),
}


def phrase(code, **params):
    """A parameter that is itself worded from ``code`` when the refusal is (JSON-ready)."""
    return {"code": code, "params": params}


def render(code, params, fallback=""):
    """The refusal ``code`` with ``params`` in the active language; ``fallback`` (the stored
    sentence) for a code this version does not know or parameters it cannot use."""
    template = REFUSALS.get(code)
    if template is None:
        return fallback
    values = {
        name: render(value["code"], value.get("params") or {}) if isinstance(value, dict) else value
        for name, value in (params or {}).items()
    }
    try:
        return gettext(template) % values
    except (KeyError, TypeError, ValueError):
        return fallback


def default_text(code, params):
    """The refusal in the site's default language (``ContentPackage.error``, the log)."""
    with translation.override(settings.LANGUAGE_CODE):
        return render(code, params)
