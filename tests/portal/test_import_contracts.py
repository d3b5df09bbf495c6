"""The apps' import contracts (pyproject.toml): the real tree keeps them, and a private import breaks them."""

import tomllib
from pathlib import Path

import grimp
import pytest

from tests.import_contracts import PublicModulesContract

CONFIG = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())["tool"][
    "importlinter"
]


def public_modules_contract():
    options = next(c for c in CONFIG["contracts"] if c["type"] == "public_modules")
    options = {key: value for key, value in options.items() if key not in ("name", "type")}
    return PublicModulesContract(name="public modules", session_options={}, contract_options=options)


@pytest.fixture
def graph():
    """The real import graph (built anew for each test, since the tests add imports to it)."""
    return grimp.build_graph(*CONFIG["root_packages"])


def test_the_tree_imports_only_public_modules_of_other_apps(graph):
    check = public_modules_contract().check(graph, verbose=False)
    assert check.kept, check.metadata["violations"]


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("home.models", "courses.enrollment"),  # a rule module behind courses.services
        ("lessons.views", "media_library.tasks"),  # another app's tasks
        ("courses.progress", "pagetree.content_version"),  # the kernel's internals
        ("portal.urls", "accounts.staff"),
    ],
)
def test_an_import_of_another_apps_private_module_breaks_the_contract(graph, importer, imported):
    graph.add_import(importer=importer, imported=imported, line_number=1, line_contents=f"import {imported}")
    check = public_modules_contract().check(graph, verbose=False)
    assert not check.kept
    assert check.metadata["violations"] == [f"{importer} -> {imported} (l. 1)"]


def test_imports_inside_an_app_and_of_public_modules_are_allowed(graph):
    graph.add_import(importer="home.models", imported="courses.services", line_number=1, line_contents="")
    graph.add_import(importer="courses.views", imported="courses.enrollment", line_number=1, line_contents="")
    assert public_modules_contract().check(graph, verbose=False).kept
