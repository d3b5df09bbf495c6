"""portal/wsgi.py: what gunicorn's master loads once before forking its workers."""

import json
import subprocess

from tests.processes import BASE_DIR, PYTHON, child_env

LOAD_AND_REPORT = """
import json
from django.db import connections
import portal.wsgi
from django.template import engines
from django.urls import get_resolver
loader = engines["django"].engine.template_loaders[0]
print(json.dumps({
    "languages": sorted(get_resolver()._reverse_dict),
    "loader": type(loader).__module__,
    "templates": sorted(key for key in loader.get_template_cache if isinstance(key, str)),
    "connections": [alias for alias in connections if connections[alias].connection is not None],
}))
"""


def test_loading_the_app_builds_url_lookups_and_compiles_templates_without_a_database_connection():
    env = child_env(LANGUAGES="en,fr,de", DEBUG="False")
    result = subprocess.run(
        [PYTHON, "-c", LOAD_AND_REPORT], cwd=BASE_DIR, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    # Every worker forked from the master starts with these done (gunicorn's preload_app).
    assert report["languages"] == ["de", "en", "fr"]
    assert report["loader"] == "django.template.loaders.cached"
    project = [
        path.relative_to(folder).as_posix()
        for folder in BASE_DIR.glob("*/templates")
        for path in folder.rglob("*.html")
    ]
    assert project and set(project) <= set(report["templates"]), set(project) - set(report["templates"])
    # The workers must never share a connection the master opened.
    assert report["connections"] == []
