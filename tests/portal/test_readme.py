"""The README's configuration table lists every variable the settings read."""

import re

from tests.processes import BASE_DIR

ENV_READ = re.compile(r"""\benv(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]+)["']""")


def test_readme_documents_every_environment_variable_the_settings_read():
    read = set()
    for module in (BASE_DIR / "portal" / "settings").glob("*.py"):
        read |= set(ENV_READ.findall(module.read_text()))
    readme = (BASE_DIR / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    assert len(read) > 20
    undocumented = sorted(name for name in read if f"`{name}`" not in table)
    assert undocumented == []
