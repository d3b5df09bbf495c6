"""The settings package: every module loads, production refuses missing secrets."""

import os
import subprocess
from pathlib import Path

import pytest

from tests.processes import BASE_DIR, child_env, run_manage, run_python

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "portal.settings.production",
    "SECRET_KEY": "a-long-random-secret-for-tests-only-0123456789abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "ringlet.example.com",
    "DATABASE_URL": "postgres://ringlet@db.example.com:5432/ringlet",
}
SHOW_SETTINGS = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"


@pytest.mark.parametrize(
    "module", ["portal.settings.dev", "portal.settings.test", "portal.settings.production"]
)
def test_each_settings_module_loads(module):
    env = child_env(**PRODUCTION_ENV) | {"DJANGO_SETTINGS_MODULE": module}
    result = run_python(SHOW_SETTINGS, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ("True" if module.endswith("dev") else "False")


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"])
def test_production_refuses_to_start_without_each_secret(missing):
    env = child_env(**PRODUCTION_ENV) | {missing: ""}
    del env[missing]
    result = run_python(SHOW_SETTINGS, env)
    assert result.returncode != 0
    assert f"Set the {missing} environment variable" in result.stderr


def env_example():
    """The variables of .env.example as django-environ reads a .env file (DJANGO_READ_DOT_ENV_FILE)."""
    import environ

    class Reader(environ.Env):
        ENVIRON = {}  # read into this, not into the tests' own os.environ

    Reader.read_env(str(BASE_DIR / ".env.example"))
    return dict(Reader.ENVIRON)


def test_env_example_can_be_sourced_by_a_shell_and_means_the_same_there():
    shell = subprocess.run(
        ["bash", "-c", "set -a && . ./.env.example && env -0"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        env={"PATH": os.environ["PATH"]},
    )
    assert shell.returncode == 0 and shell.stderr == "", shell.stderr
    sourced = dict(item.split("=", 1) for item in shell.stdout.split("\0") if "=" in item)
    expected = env_example()
    assert {key: sourced.get(key) for key in expected} == expected
    assert expected["DEFAULT_FROM_EMAIL"] == "Ringlet <noreply@learn.example.com>"


def test_env_example_names_every_production_secret():
    assert {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"} <= env_example().keys()


def test_check_deploy_is_clean_with_the_sample_env():
    env = child_env(**env_example()) | {"DJANGO_SETTINGS_MODULE": "portal.settings.production"}
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_collectstatic_runs_with_dummy_values_and_writes_hashed_compressed_files(tmp_path):
    env = child_env(**PRODUCTION_ENV, STATIC_ROOT=tmp_path / "static")
    env["DATABASE_URL"] = "postgres://dummy@127.0.0.1:1/dummy"  # never connected to
    result = run_manage("collectstatic", "--no-input", "-v0", env=env, timeout=600)
    assert result.returncode == 0, result.stderr
    static = Path(tmp_path / "static")
    assert (static / "staticfiles.json").exists()
    hashed = list((static / "css").glob("ringlet.*.css"))
    assert hashed, "our stylesheet was not copied with a content hash"
    assert Path(f"{hashed[0]}.gz").exists()
