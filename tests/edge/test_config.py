"""The edge's configuration: what every overlay's edge container renders, nginx accepts; bad
values stop with the name of what is wrong, before nginx starts."""

import shutil
import subprocess
from pathlib import Path

import pytest
import requests

from portal import edge
from tests.deploy.manifests import OVERLAYS, generated, get, pod_spec, render, secret_data
from tests.processes import PYTHON, Process, free_port, wait_for

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
KEY = "k" * 40


def edge_environment(overlay):
    """The edge container's environment as its pod gets it (the secret's one key included)."""
    docs = render(overlay)
    (container,) = pod_spec(get(docs, "Deployment", "ringlet-edge"))["containers"]
    env = dict(get(docs, "ConfigMap", container["envFrom"][0]["configMapRef"]["name"])["data"])
    for item in container["env"]:
        if "value" in item:
            env[item["name"]] = item["value"]
        else:
            ref = item["valueFrom"]["secretKeyRef"]
            assert ref["key"] == item["name"] == "EDGE_SIGNING_KEY"
            secrets = [d for d in docs if d["kind"] == "Secret"]
            env[item["name"]] = (
                secret_data(generated(docs, "Secret", "ringlet-secrets"))[ref["key"]] if secrets else KEY
            )
    return env


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_overlays_edge_renders_a_configuration_nginx_accepts(overlay, tmp_path):
    values = edge.values_from(edge_environment(overlay))
    assert values["EDGE_MAX_BODY"] == "2048m"  # MEDIA_MAX_UPLOAD_MB, as the ingress has it
    assert values["EDGE_UPSTREAM"] == "ringlet-web:80"
    # Only what this machine lacks changes: the cluster's names and the pod's /tmp.
    values.update(
        EDGE_UPSTREAM="127.0.0.1:9",
        EDGE_RUN_DIR=str(tmp_path / "run"),
        EDGE_CACHE_DIR=str(tmp_path / "cache"),
        EDGE_LISTEN=f"127.0.0.1:{free_port()}",
        EDGE_PURGE_LISTEN=f"127.0.0.1:{free_port()}",
    )
    config = edge.write(values, tmp_path)
    check = subprocess.run([NGINX, "-e", "stderr", "-t", "-c", str(config)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


def base_values(**changes):
    return {**edge.values_from({}), "EDGE_SIGNING_KEY": KEY, **changes}


def test_a_missing_or_short_signing_key_stops_with_its_name():
    with pytest.raises(edge.EdgeConfigError, match="EDGE_SIGNING_KEY must be set"):
        edge.render(edge.values_from({}))
    with pytest.raises(edge.EdgeConfigError, match="at least 32"):
        edge.render(base_values(EDGE_SIGNING_KEY="short"))
    with pytest.raises(edge.EdgeConfigError, match="at least 32"):
        edge.render(base_values(EDGE_SIGNING_KEY="x" * 40 + '";'))


def test_a_value_that_would_change_the_configuration_is_refused():
    with pytest.raises(edge.EdgeConfigError, match="EDGE_UPSTREAM"):
        edge.render(base_values(EDGE_UPSTREAM="web:80; } server { listen 81"))
    with pytest.raises(edge.EdgeConfigError, match="EDGE_PURGE_ALLOW"):
        edge.render(base_values(EDGE_PURGE_ALLOW="all; allow all"))
    with pytest.raises(edge.EdgeConfigError, match="EDGE_PURGE_ALLOW"):
        edge.render(base_values(EDGE_PURGE_ALLOW=" "))


def test_several_purge_sources_become_one_allow_line_each():
    text = edge.render(base_values(EDGE_PURGE_ALLOW="10.0.0.0/8, 192.168.0.0/16"))
    assert "allow 10.0.0.0/8;\n            allow 192.168.0.0/16;\n            deny all;" in text


def test_the_containers_command_renders_and_becomes_nginx(tmp_path):
    """`python -m portal.edge serve`, the edge container's command, with dev's environment."""
    env = edge_environment("dev")
    port = free_port()
    env.update(
        PATH="/usr/sbin:/usr/bin:/bin",
        EDGE_UPSTREAM="127.0.0.1:9",
        EDGE_LISTEN=f"127.0.0.1:{port}",
        EDGE_PURGE_LISTEN=f"127.0.0.1:{free_port()}",
        EDGE_RUN_DIR=str(tmp_path / "run"),
        EDGE_CACHE_DIR=str(tmp_path / "cache"),
        EDGE_USER="root",  # the suite runs as root; the pod runs as 10001
    )
    process = Process([PYTHON, "-m", "portal.edge", "serve"], env=env, log_path=tmp_path / "edge.log")
    try:

        def healthy():
            try:
                return requests.get(f"http://127.0.0.1:{port}/-/edge-health", timeout=1).text == "ok\n"
            except requests.ConnectionError:
                return False

        wait_for(healthy, timeout=20, message="the edge's health path")
        # nginx itself is the process the pod runs (exec), not a Python parent.
        assert Path(f"/proc/{process.popen.pid}/exe").resolve().name == "nginx"
        # Web is down here: the edge says so instead of hanging.
        assert requests.get(f"http://127.0.0.1:{port}/", timeout=10).status_code == 502
    finally:
        process.stop()
    assert "[emerg]" not in process.output()


def test_the_edge_drops_idle_connections_to_web_before_gunicorn_does():
    """An idle upstream connection that gunicorn closes while nginx sends a request on it is a 502
    (nginx never resends a POST): nginx's upstream keepalive_timeout must be the shorter."""
    import re
    from pathlib import Path

    template = (Path(__file__).resolve().parents[2] / "deploy" / "edge" / "nginx.conf.template").read_text()
    # The upstream block's own keepalive_timeout (not the clients' one, in the http block).
    upstream = template.split("upstream web {", 1)[1].split("\n    }", 1)[0]
    edge_seconds = int(re.search(r"keepalive_timeout (\d+)s;", upstream).group(1))
    gunicorn = {}
    exec((Path(__file__).resolve().parents[2] / "gunicorn.conf.py").read_text(), gunicorn)  # noqa: S102
    assert edge_seconds < gunicorn["keepalive"]
