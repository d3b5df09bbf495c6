"""Reading what a content package says about itself: a SCORM ``imsmanifest.xml`` or an H5P ``h5p.json``.

Pure functions over the archive's file list and a ``read(name) -> bytes`` callable, so the
upload form (reading the zip's central directory) and the worker (unpacking it) check the
same things. Every problem is a ``PackageRefused`` whose message an editor can act on.

SCORM: 1.2 and 2004 (2nd, 3rd and 4th editions) are told apart by the manifest's
``<schemaversion>`` (or, when it is missing, by the ADL namespace). Elements are matched by
their local names, since authoring tools disagree on namespace prefixes. Ringlet launches the
first item of the default organisation that has a resource (``launch_path``); the others are
recorded in ``items``.

H5P: ``h5p.json`` names the main library and its preloaded dependencies; each must be in the
file as ``<machineName>-<major>.<minor>/library.json``, with the dependencies those name in
turn, and every script and stylesheet they list. An H5P exported without its libraries
cannot be played here (there is no H5P hub to fetch them from), so it is refused.
"""

import json
import posixpath
import re
from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from . import refusals
from .refusals import phrase

SCORM_12 = "scorm12"
SCORM_2004 = "scorm2004"
H5P = "h5p"

MANIFEST = "imsmanifest.xml"
H5P_JSON = "h5p.json"
H5P_CONTENT = "content/content.json"
# A manifest or JSON file larger than this is not a description of a package.
MAX_DESCRIPTOR_BYTES = 5 * 1024 * 1024
_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


class PackageRefused(Exception):
    """The package cannot be used; ``message`` says why, in words an editor can act on, in the
    active language. Raised with ``because(code, **params)`` (``packages.refusals``), it keeps
    ``code`` and ``params`` so a worker stores them and a page words them in its reader's
    language; raised with a sentence, ``code`` is empty."""

    def __init__(self, message, code="", params=None):
        super().__init__(message)
        self.message, self.code, self.params = message, code, params or {}

    @classmethod
    def because(cls, code, **params):
        return cls(refusals.render(code, params), code, params)

    def default_text(self):
        """The refusal in the site's default language (for ``ContentPackage.error`` and the log)."""
        return refusals.default_text(self.code, self.params) if self.code else str(self.message)


@dataclass
class PackageFacts:
    """What a package is and how to start it."""

    kind: str  # SCORM_12, SCORM_2004 or H5P
    title: str
    standard_version: str  # "1.2", "2004 4th Edition", "H5P.MultiChoice 1.16"...
    launch_path: str  # relative to the package root; for H5P, "" (h5p-standalone reads h5p.json)
    mastery_score: float | None = (
        None  # scaled, 0..1 (SCORM 1.2 masteryscore / 100; 2004 minNormalizedMeasure)
    )
    details: dict = field(
        default_factory=dict
    )  # JSON-ready: organisations, items, resources or H5P libraries


def describe(names, read):
    """The ``PackageFacts`` of the archive whose (normalised) file names are ``names``.

    ``read(name)`` returns a member's bytes. Raises ``PackageRefused``.
    """
    names = set(names)
    if MANIFEST in names:
        return scorm_facts(names, read)
    if H5P_JSON in names:
        return h5p_facts(names, read)
    nested = sorted(n for n in names if posixpath.basename(n) in (MANIFEST, H5P_JSON))
    if nested:
        raise PackageRefused.because("not_a_package_nested", nested=nested[0])
    raise PackageRefused.because("not_a_package")


# --- SCORM ---------------------------------------------------------------------------


def _local(tag):
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element, name):
    return [child for child in element if _local(child.tag) == name]


def _child(element, name):
    found = _children(element, name)
    return found[0] if found else None


def _text(element, name, default=""):
    child = _child(element, name) if element is not None else None
    return (child.text or "").strip() if child is not None and child.text else default


def _attribute(element, name, default=""):
    """An attribute by local name, whatever its namespace (``adlcp:scormtype``, ``scormType``...)."""
    for key, value in element.attrib.items():
        if _local(key).lower() == name.lower():
            return value.strip()
    return default


def _descendants(element, name):
    return [node for node in element.iter() if _local(node.tag) == name]


def _parse_xml(data, filename):
    if len(data) > MAX_DESCRIPTOR_BYTES:
        raise PackageRefused.because("manifest_too_large", filename=filename, size=f"{len(data):,}")
    try:
        return SafeET.fromstring(data)
    except DefusedXmlException:
        raise PackageRefused.because("xml_entities", filename=filename) from None
    except ParseError as exc:
        raise PackageRefused.because("xml_invalid", filename=filename, problem=str(exc)) from None


def _scorm_version(root):
    """(kind, version text) from <metadata><schemaversion>, else from the namespaces used."""
    metadata = _child(root, "metadata")
    schema_version = _text(metadata, "schemaversion")
    text = schema_version.lower()
    if text == "1.2":
        return SCORM_12, "1.2"
    if text.startswith(("cam 1.3", "2004")):
        edition = "2004 2nd Edition" if text.startswith("cam 1.3") else schema_version
        return SCORM_2004, edition
    namespaces = " ".join(
        [root.tag, *(key for node in root.iter() for key in node.attrib if key.startswith("{"))]
    )
    if "adlcp_rootv1p2" in namespaces:
        return SCORM_12, "1.2"
    if "adlcp_v1p3" in namespaces:
        return SCORM_2004, "2004"
    if schema_version:
        raise PackageRefused.because("scorm_version_unsupported", version=schema_version)
    raise PackageRefused.because("scorm_version_unknown")


def _check_relative(href, what):
    """Refuse an absolute URL or a path leaving the package; return the path part (no query).

    ``what`` names the file's owner (a ``refusals.phrase``)."""
    if _URL_SCHEME.match(href) or href.startswith("//"):
        raise PackageRefused.because("points_elsewhere", what=what, href=href)
    path = href.split("?", 1)[0].split("#", 1)[0]
    normal = posixpath.normpath(path) if path else ""
    if path.startswith("/") or normal == ".." or normal.startswith("../"):
        raise PackageRefused.because("points_outside", what=what, href=href)
    return normal


def _items(element, depth=0):
    result = []
    for item in _children(element, "item"):
        entry = {
            "identifier": _attribute(item, "identifier"),
            "title": _text(item, "title"),
            "resource": _attribute(item, "identifierref"),
            "parameters": _attribute(item, "parameters"),
            "depth": depth,
        }
        mastery = _text(item, "masteryscore")
        if mastery:
            entry["masteryscore"] = mastery
        data = _text(item, "dataFromLMS") or _text(item, "datafromlms")
        if data:
            entry["launch_data"] = data
        threshold = _child(item, "completionThreshold")
        if threshold is not None:
            entry["completion_threshold"] = _attribute(threshold, "minProgressMeasure") or (
                threshold.text or ""
            )
        measure = _primary_objective_measure(item)
        if measure is not None:
            entry["scaled_passing_score"] = measure
        result.append(entry)
        result.extend(_items(item, depth + 1))
    return result


def _primary_objective_measure(item):
    """SCORM 2004: the primary objective's minNormalizedMeasure when it is satisfied by measure."""
    for objective in _descendants(item, "primaryObjective"):
        if _attribute(objective, "satisfiedByMeasure").lower() == "true":
            value = _text(objective, "minNormalizedMeasure")
            if value:
                return value
    return None


def _number(value, low, high, what):
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise PackageRefused.because("not_a_number", what=what, value=str(value)) from None
    if not low <= number <= high:
        raise PackageRefused.because("out_of_range", what=what, value=str(value), low=low, high=high)
    return number


def scorm_facts(names, read):
    root = _parse_xml(read(MANIFEST), MANIFEST)
    if _local(root.tag) != "manifest":
        raise PackageRefused.because("not_a_manifest")
    kind, version = _scorm_version(root)
    resources_element = _child(root, "resources")
    if resources_element is None:
        raise PackageRefused.because("no_resources")
    base = _attribute(resources_element, "base")
    resources = {}
    for resource in _children(resources_element, "resource"):
        identifier = _attribute(resource, "identifier")
        href = _attribute(resource, "href")
        resource_base = posixpath.join(base, _attribute(resource, "base"))
        what = phrase("resource", identifier=identifier)
        files = []
        if href:
            _check_relative(href, what)
        for file_element in _children(resource, "file"):
            file_href = _attribute(file_element, "href")
            if file_href:
                files.append(_check_relative(posixpath.join(resource_base, file_href), what))
        resources[identifier] = {
            "identifier": identifier,
            "type": _attribute(resource, "scormtype") or _attribute(resource, "type"),
            "href": posixpath.join(resource_base, href) if href else "",
            "files": files,
        }
    for resource in resources.values():
        for path in [resource["href"], *resource["files"]]:
            what = phrase("resource", identifier=resource["identifier"])
            local = _check_relative(path, what) if path else ""
            if local and local not in names:
                raise PackageRefused.because("missing_file", path=local, identifier=resource["identifier"])
    organizations_element = _child(root, "organizations")
    organizations = (
        _children(organizations_element, "organization") if organizations_element is not None else []
    )
    default_id = _attribute(organizations_element, "default") if organizations_element is not None else ""
    default = next((o for o in organizations if _attribute(o, "identifier") == default_id), None)
    default = default if default is not None else (organizations[0] if organizations else None)
    items = _items(default) if default is not None else []
    launch_item = next(
        (item for item in items if item["resource"] and resources.get(item["resource"], {}).get("href")), None
    )
    if launch_item is None:
        # A manifest with no organisation: the first resource with a launch file.
        first = next((r for r in resources.values() if r["href"]), None)
        if first is None:
            raise PackageRefused.because("nothing_to_launch")
        launch_item = {"identifier": first["identifier"], "title": "", "resource": first["identifier"]}
    resource = resources.get(launch_item["resource"])
    if resource is None:
        raise PackageRefused.because(
            "undefined_resource", item=launch_item["identifier"], resource=launch_item["resource"]
        )
    launch_path = resource["href"]
    parameters = launch_item.get("parameters", "")
    if parameters:
        # IMS CP: parameters are appended to the href ("?a=b" or "#x").
        launch_path += parameters if parameters.startswith(("?", "#")) else f"?{parameters}"
    mastery = None
    if kind == SCORM_12 and launch_item.get("masteryscore"):
        mastery = _number(launch_item["masteryscore"], 0, 100, phrase("mastery_score")) / 100
    if kind == SCORM_2004 and launch_item.get("scaled_passing_score"):
        mastery = _number(launch_item["scaled_passing_score"], -1, 1, phrase("passing_score"))
    title = (_text(default, "title") if default is not None else "") or launch_item.get("title") or ""
    return PackageFacts(
        kind=kind,
        title=title,
        standard_version=version,
        launch_path=launch_path,
        mastery_score=mastery,
        details={
            "organization": {"identifier": _attribute(default, "identifier"), "title": title}
            if default is not None
            else None,
            "organizations": [_attribute(o, "identifier") for o in organizations],
            "items": items,
            "launch_item": launch_item["identifier"],
            "launch_data": launch_item.get("launch_data", ""),
            "completion_threshold": launch_item.get("completion_threshold", ""),
            "resources": [
                {key: r[key] for key in ("identifier", "type", "href")} | {"file_count": len(r["files"])}
                for r in resources.values()
            ],
        },
    )


# --- H5P ------------------------------------------------------------------------------


def _json(names, read, name):
    if name not in names:
        raise PackageRefused.because("h5p_missing_json", name=name)
    data = read(name)
    if len(data) > MAX_DESCRIPTOR_BYTES * 4:
        raise PackageRefused.because("json_too_large", name=name, size=f"{len(data):,}")
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise PackageRefused.because("json_invalid", name=name, problem=str(exc)) from None


def _dependency_name(dependency):
    if not isinstance(dependency, dict) or not dependency.get("machineName"):
        raise PackageRefused.because("dependency_unnamed")
    major, minor = dependency.get("majorVersion", ""), dependency.get("minorVersion", "")
    return f"{dependency['machineName']}-{major}.{minor}"


def _label(folder):
    machine, _, version = folder.rpartition("-")
    return f"{machine} {version}"


def h5p_facts(names, read):
    meta = _json(names, read, H5P_JSON)
    if not isinstance(meta, dict) or not meta.get("mainLibrary"):
        raise PackageRefused.because("no_main_library")
    _json(names, read, H5P_CONTENT)  # must be there and parse
    dependencies = meta.get("preloadedDependencies") or []
    if not isinstance(dependencies, list):
        raise PackageRefused.because("dependencies_not_a_list")
    main = next(
        (d for d in dependencies if isinstance(d, dict) and d.get("machineName") == meta["mainLibrary"]), None
    )
    if main is None:
        raise PackageRefused.because("main_library_missing", library=str(meta["mainLibrary"]))
    pending = [_dependency_name(d) for d in dependencies]
    libraries, missing = {}, []
    while pending:
        folder = pending.pop()
        if folder in libraries or folder in missing:
            continue
        descriptor = f"{folder}/library.json"
        if descriptor not in names:
            missing.append(folder)
            continue
        library = _json(names, read, descriptor)
        if not isinstance(library, dict):
            raise PackageRefused.because("not_an_object", name=descriptor)
        for key in ("preloadedJs", "preloadedCss"):
            for entry in library.get(key) or []:
                path = entry.get("path", "") if isinstance(entry, dict) else ""
                local = _check_relative(path, phrase("library", library=_label(folder))) if path else ""
                if not local or f"{folder}/{local}" not in names:
                    raise PackageRefused.because("library_file_missing", name=descriptor, path=str(path))
        libraries[folder] = {
            "title": library.get("title", ""),
            "runnable": bool(library.get("runnable")),
        }
        pending.extend(_dependency_name(d) for d in library.get("preloadedDependencies") or [])
    if missing:
        listed = ", ".join(_label(folder) for folder in sorted(missing))
        raise PackageRefused.because("libraries_missing", libraries=listed)
    main_folder = _dependency_name(main)
    return PackageFacts(
        kind=H5P,
        title=str(meta.get("title") or ""),
        standard_version=_label(main_folder),
        launch_path="",
        details={
            "main_library": main_folder,
            "libraries": sorted(libraries),
            "embed_types": meta.get("embedTypes") or [],
            "language": meta.get("language", ""),
        },
    )
