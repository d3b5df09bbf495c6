"""gunicorn.conf.py: bind, workers and timeouts from the environment, safe on a read-only root."""

import json
import re
import subprocess
import sys
import tempfile

from tests.processes import BASE_DIR

READ_SETTINGS = """
import json
from gunicorn.config import Config
config = Config()
namespace = {}
exec(compile(open("gunicorn.conf.py").read(), "gunicorn.conf.py", "exec"), namespace)
for key, value in namespace.items():
    if key in config.settings:
        config.set(key, value)
from gunicorn.workers.gthread import ThreadWorker
settings = {key: config.settings[key].get() for key in (
    "bind", "workers", "threads", "timeout", "graceful_timeout",
    "worker_tmp_dir", "accesslog", "control_socket_disable")}
settings["threaded_worker"] = issubclass(config.worker_class, ThreadWorker)
print(json.dumps(settings))
"""


def gunicorn_settings(env):
    """The settings gunicorn.conf.py gives under ``env``, read in a fresh interpreter."""
    if "PROMETHEUS_MULTIPROC_DIR" in env:
        # Reading the config empties that folder: never the pod's path on this machine.
        env = {**env, "PROMETHEUS_MULTIPROC_DIR": tempfile.mkdtemp(prefix="prometheus-")}
    result = subprocess.run(
        [sys.executable, "-c", READ_SETTINGS],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_defaults_suit_a_pod():
    settings = gunicorn_settings({})
    assert settings["bind"] == ["0.0.0.0:8000"]
    assert settings["threaded_worker"] is True  # gthread's, taking connections only with a free thread
    # The heartbeat goes to a tmpfs and no control socket is made under $HOME.
    assert settings["worker_tmp_dir"] == "/dev/shm"
    assert settings["control_socket_disable"] is True
    assert settings["accesslog"] == "-"


def test_bind_workers_threads_and_timeouts_come_from_the_environment():
    settings = gunicorn_settings(
        {
            "GUNICORN_BIND": "127.0.0.1:0",
            "WEB_CONCURRENCY": "5",
            "GUNICORN_THREADS": "3",
            "GUNICORN_TIMEOUT": "20",
            "GUNICORN_GRACEFUL_TIMEOUT": "25",
        }
    )
    assert settings["bind"] == ["127.0.0.1:0"]
    assert (settings["workers"], settings["threads"]) == (5, 3)
    assert (settings["timeout"], settings["graceful_timeout"]) == (20, 25)


def test_readme_documents_every_variable_gunicorn_conf_reads():
    read = set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', (BASE_DIR / "gunicorn.conf.py").read_text()))
    assert "GUNICORN_BIND" in read
    readme = (BASE_DIR / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    assert sorted(name for name in read if f"`{name}`" not in table) == []
