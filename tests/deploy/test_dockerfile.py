"""The Dockerfile: multi-stage, lint-clean, non-root, exec form, static files built in."""

import json
import re
import subprocess
import sys
from pathlib import Path

from tests.deploy.manifests import render
from tests.processes import BASE_DIR

DOCKERFILE = (BASE_DIR / "Dockerfile").read_text()
HADOLINT = Path(sys.executable).with_name("hadolint")


def instructions():
    """``(instruction, arguments)`` pairs, continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE)
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    return [tuple(line.split(None, 1)) for line in lines]


def stages():
    return [args for op, args in instructions() if op == "FROM"]


def test_hadolint_reports_nothing():
    result = subprocess.run([str(HADOLINT), "Dockerfile"], cwd=BASE_DIR, capture_output=True, text=True)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_hadolint_is_really_checking(tmp_path):
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM debian\nRUN apt-get install ffmpeg\nCMD gunicorn\n")
    result = subprocess.run([str(HADOLINT), str(bad)], capture_output=True, text=True)
    assert result.returncode != 0
    assert "DL3006" in result.stdout and "DL3025" in result.stdout


def test_builder_and_runtime_stages_on_python_3_11_slim_bookworm():
    assert ("ARG", "PYTHON_IMAGE=python:3.11-slim-bookworm") in instructions()
    assert stages() == ["${PYTHON_IMAGE} AS builder", "${PYTHON_IMAGE} AS runtime"]
    builder, runtime = DOCKERFILE.split("AS runtime")
    assert "build-essential" in builder and "pip wheel" in builder and "requirements/prod.txt" in builder
    # The runtime gets FFmpeg, libpq and pg_dump/pg_restore (backups) only, and the
    # virtualenv built with the wheels.
    (install,) = re.findall(r"apt-get install -y --no-install-recommends ([^\\&]+)", runtime)
    assert install.split() == ["ffmpeg", "libpq5", "postgresql-client-15"]
    assert "COPY --from=builder /opt/venv /opt/venv" in runtime
    assert "build-essential" not in runtime and "pip install" not in runtime


def test_runs_as_a_numeric_non_root_user_the_manifests_also_use():
    (user,) = [args for op, args in instructions() if op == "USER"]
    uid, gid = (int(part) for part in user.split(":"))
    assert uid > 0 and gid > 0
    web = render("prod")
    for doc in web:
        # Ringlet's own image (PgBouncer's runs as its own postgres user).
        if doc["kind"] == "Deployment" and doc["metadata"]["labels"]["app.kubernetes.io/name"] == "ringlet":
            assert doc["spec"]["template"]["spec"]["securityContext"]["runAsUser"] == uid


def test_static_files_are_collected_at_build_time_with_dummy_production_settings():
    (collect,) = [args for op, args in instructions() if op == "RUN" and "collectstatic" in args]
    for variable in ("SECRET_KEY=", "ALLOWED_HOSTS=", "DATABASE_URL="):
        assert variable in collect
    env = " ".join(args for op, args in instructions() if op == "ENV")
    assert "PATH=/opt/venv/bin:$PATH" in env
    assert "DJANGO_SETTINGS_MODULE=portal.settings.production" in env
    assert "STATIC_ROOT=/app/static" in env


def test_healthcheck_and_command_use_exec_form():
    ops = dict(instructions())
    assert "ENTRYPOINT" not in ops or ops["ENTRYPOINT"].startswith("[")
    assert json.loads(ops["CMD"]) == ["gunicorn", "--config", "gunicorn.conf.py"]
    health = ops["HEALTHCHECK"]
    assert "/health/" in health
    assert json.loads(health.split("CMD", 1)[1])[0] == "python"


def test_dockerignore_keeps_state_secrets_and_history_out_of_the_image():
    ignored = set((BASE_DIR / ".dockerignore").read_text().split())
    assert {".git", ".venv", ".env", "var", "node_modules", "tests", "kustomize"} <= ignored
