"""A real nginx edge tier (``deploy/edge/nginx.conf.template``, rendered by ``portal.edge``)
on free ports, in front of the test's live server: the same configuration the manifests
deploy, with the test's directories and ports."""

import secrets
import shutil
import subprocess
from pathlib import Path

import pytest
import requests
from django.conf import settings

from portal import edge as edge_config
from tests.processes import Process, free_port, wait_for

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
# The Host the tests send: Wagtail's default site answers it, and purges name it.
HOST = "localhost"


class EdgeServer:
    def __init__(self, directory, upstream, static_root, media_root, key):
        self.directory = Path(directory)
        self.port, self.purge_port = free_port(), free_port()
        self.key = key
        self.values = edge_config.values_from({})
        self.values.update(
            EDGE_LISTEN=f"127.0.0.1:{self.port}",
            EDGE_PURGE_LISTEN=f"127.0.0.1:{self.purge_port}",
            EDGE_PURGE_ALLOW="127.0.0.1",
            EDGE_UPSTREAM=upstream,
            EDGE_WORKERS="1",
            EDGE_RUN_DIR=str(self.directory / "run"),
            EDGE_CACHE_DIR=str(self.directory / "cache"),
            EDGE_STATIC_ROOT=str(static_root),
            EDGE_MEDIA_ROOT=str(media_root),
            EDGE_SIGNING_KEY=key,
            EDGE_SESSION_COOKIE=settings.SESSION_COOKIE_NAME,
            # The suite runs as root; nginx's workers would otherwise be nobody, who cannot
            # read the test's private directories.
            EDGE_USER="root",
        )
        self.process = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def purge_url(self):
        return f"http://127.0.0.1:{self.purge_port}"

    def start(self):
        config = edge_config.write(self.values, self.directory)
        args = [NGINX, "-e", "stderr", "-t", "-c", str(config)]
        check = subprocess.run(args, capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        self.process = Process(
            [NGINX, "-e", "stderr", "-c", str(config), "-g", "daemon off;"],
            env={"PATH": "/usr/sbin:/usr/bin:/bin"},
            log_path=self.directory / "nginx.log",
        )
        wait_for(self.answers, timeout=15, message=f"nginx on port {self.port}")

    def answers(self):
        try:
            return requests.get(f"{self.url}/static/-", timeout=1).status_code == 404
        except requests.ConnectionError:
            return False

    def get(self, path, **kwargs):
        headers = {"Host": HOST, **kwargs.pop("headers", {})}
        return requests.get(f"{self.url}{path}", headers=headers, allow_redirects=False, timeout=30, **kwargs)

    def request(self, method, path, **kwargs):
        headers = {"Host": HOST, **kwargs.pop("headers", {})}
        return requests.request(
            method, f"{self.url}{path}", headers=headers, allow_redirects=False, timeout=30, **kwargs
        )

    def stop(self):
        if self.process is not None:
            self.process.stop()
            self.process = None


@pytest.fixture
def edge_key():
    return secrets.token_urlsafe(32)


@pytest.fixture
def edge_static(tmp_path):
    """A static root with one of Ringlet's own files in it, as collectstatic leaves them."""
    root = tmp_path / "static"
    (root / "css").mkdir(parents=True)
    shutil.copy(Path(settings.BASE_DIR) / "portal" / "static" / "css" / "ringlet.css", root / "css")
    return root


@pytest.fixture
def edge(live_server, tmp_path, settings, edge_key, edge_static):
    """nginx in front of the live server, purged by Ringlet's frontend-cache backend."""
    server = EdgeServer(
        tmp_path / "edge",
        upstream=live_server.url.removeprefix("http://").replace("localhost", "127.0.0.1"),
        static_root=edge_static,
        media_root=settings.MEDIA_ROOT,
        key=edge_key,
    )
    server.start()
    settings.WAGTAILFRONTENDCACHE = {
        "edge": {"BACKEND": "portal.edge_purge.EdgePurgeBackend", "LOCATION": server.purge_url, "TIMEOUT": 5}
    }
    settings.MEDIA_EDGE_SIGNING_KEY = edge_key
    yield server
    server.stop()
