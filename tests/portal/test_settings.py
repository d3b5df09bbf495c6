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


READ_DATABASES = """
import json, django
django.setup()
from django.conf import settings
from django.core.files.storage import storages
db = settings.DATABASES["default"]
backups = storages["backups"]
print(json.dumps({
    "host": db["HOST"], "conn_max_age": db["CONN_MAX_AGE"],
    "no_server_side_cursors": db.get("DISABLE_SERVER_SIDE_CURSORS", False),
    "prepare_threshold": db.get("OPTIONS", {}).get("prepare_threshold"),
    "direct_host": (settings.DATABASE_DIRECT or {}).get("HOST"),
    "backups_bucket": getattr(backups, "bucket_name", None),
    "media_bucket": getattr(storages["default"], "bucket_name", None),
}))
"""
POOLED = {
    **PRODUCTION_ENV,
    "DATABASE_URL": "postgres://ringlet:pw@ringlet-pgbouncer:5432/ringlet",
    "DATABASE_DIRECT_URL": "postgres://ringlet:pw@db.example.com:5432/ringlet",
    "DATABASE_TRANSACTION_POOLING": "true",
    "CONN_MAX_AGE": "300",
}


def read_databases(**env):
    import json

    result = run_python(READ_DATABASES, child_env(**env))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_behind_a_transaction_pooler_django_opens_no_server_side_cursors_and_prepares_nothing():
    pooled = read_databases(**POOLED)
    assert pooled["host"] == "ringlet-pgbouncer" and pooled["conn_max_age"] == 300
    # A server-side cursor outlives the transaction its server connection was lent for.
    assert pooled["no_server_side_cursors"] is True
    # Django's psycopg backend prepares no statements unless asked (prepare_threshold unset).
    assert pooled["prepare_threshold"] is None
    assert pooled["direct_host"] == "db.example.com"
    # Without the flag (a direct connection or a session pooler), server-side cursors stay.
    assert (
        read_databases(**{**POOLED, "DATABASE_TRANSACTION_POOLING": "false"})["no_server_side_cursors"]
        is False
    )


def test_a_process_that_needs_a_session_connects_to_the_primary_directly():
    """The media worker's advisory locks and the migrate Job bypass the pooler."""
    direct = read_databases(**POOLED, DATABASE_CONNECT_DIRECT="true")
    assert direct["host"] == "db.example.com"
    assert direct["no_server_side_cursors"] is False
    # Without a direct URL there is nothing to bypass: DATABASE_URL it is.
    alone = {key: value for key, value in POOLED.items() if key != "DATABASE_DIRECT_URL"}
    assert read_databases(**alone, DATABASE_CONNECT_DIRECT="true")["host"] == "ringlet-pgbouncer"


def test_backups_go_to_a_bucket_of_their_own_when_one_is_named():
    s3 = {**PRODUCTION_ENV, "AWS_STORAGE_BUCKET_NAME": "ringlet-media", "AWS_S3_REGION_NAME": "eu-west-1"}
    apart = read_databases(**s3, BACKUP_BUCKET_NAME="ringlet-db-backups")
    assert (apart["media_bucket"], apart["backups_bucket"]) == ("ringlet-media", "ringlet-db-backups")
    # Unnamed: the media bucket, under BACKUP_LOCATION.
    assert read_databases(**s3)["backups_bucket"] == "ringlet-media"
    both = child_env(**s3, BACKUP_BUCKET_NAME="a", BACKUP_AZURE_CONTAINER="b")
    result = run_python(READ_DATABASES, both)
    assert result.returncode != 0 and "BACKUP_BUCKET_NAME or BACKUP_AZURE_CONTAINER" in result.stderr


def test_the_portal_app_runs_its_own_config_so_its_start_up_work_happens():
    """Django picks an app's config from its apps.py only when it defines exactly one; a second
    one there silently left PortalConfig.ready() (signal handlers, CSV guard...) unrun."""
    from django.apps import apps

    from portal.apps import PortalConfig

    assert type(apps.get_app_config("portal")) is PortalConfig
