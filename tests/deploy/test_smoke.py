"""The rendered manifests' own commands start Ringlet on this machine.

Each Deployment's container command runs with the environment its pod would get (the
rendered ConfigMap, the Secret, the container's env), except that the cluster's service
hostnames are mapped to this machine's PostgreSQL and Redis (the test database and this
run's Redis databases), paths that exist only in the image point into a temporary
directory, and gunicorn binds to a free port on 127.0.0.1.
"""

import json
import os
import re
import socket
import subprocess
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import boto3
import psycopg
import pytest
from botocore.config import Config
from django.conf import settings
from prometheus_client.parser import text_string_to_metric_families

from tests.deploy.manifests import OVERLAYS, container_env, get, pod_spec, render
from tests.processes import BASE_DIR, CELERY, PYTHON, Process, database_url, free_port, wait_for

pytestmark = pytest.mark.slow

# What an operator puts in the ringlet-secrets Secret of staging and prod (kustomize/README.md).
STAGING_SECRETS = {
    "SECRET_KEY": "staging-smoke-test-key-0123456789abcdefghijklmnopqrstuvwxyz",
    "POSTGRES_PASSWORD": "staging-password",
    "DATABASE_URL": "postgres://ringlet:staging-password@postgres:5432/ringlet",
    "REDIS_URL": "redis://redis:6379/0",
    "CELERY_BROKER_URL": "redis://redis:6379/1",
    "EMAIL_URL": "consolemail://",
    "AWS_ACCESS_KEY_ID": "AKIASMOKETEST",
    "AWS_SECRET_ACCESS_KEY": "smoke-test-secret",
}
PROD_SECRETS = {
    **STAGING_SECRETS,
    # The app through PgBouncer (components/pgbouncer); PgBouncer, backups, the media worker
    # and the migrate Job to the managed database itself.
    "DATABASE_URL": "postgres://ringlet:prod-password@ringlet-pgbouncer:5432/ringlet",
    "DATABASE_DIRECT_URL": "postgres://ringlet:prod-password@ringlet-db.postgres.database.example.net:5432/ringlet",
    "REDIS_URL": "rediss://:prod-password@ringlet-cache.redis.example.net:6380/0",
    "CELERY_BROKER_URL": "rediss://:prod-password@ringlet-cache.redis.example.net:6380/1",
}
# Prod with CloudNativePG: the app through the Pooler, the rest to the primary's Service.
PROD_CNPG_SECRETS = {
    **PROD_SECRETS,
    "DATABASE_URL": "postgres://ringlet:prod-password@ringlet-db-pooler-rw:5432/ringlet",
    "DATABASE_DIRECT_URL": "postgres://ringlet:prod-password@ringlet-db-rw:5432/ringlet",
}
SECRETS = {"dev": None, "staging": STAGING_SECRETS, "prod": PROD_SECRETS, "prod-cnpg": PROD_CNPG_SECRETS}
SERVICE_HOSTS = {
    "dev": {"postgres", "redis"},
    "staging": {"postgres", "redis"},
    "prod": {
        "ringlet-pgbouncer",
        "ringlet-db.postgres.database.example.net",
        "ringlet-cache.redis.example.net",
    },
    "prod-cnpg": {"ringlet-db-pooler-rw", "ringlet-db-rw", "ringlet-cache.redis.example.net"},
}


def smoke_broker_url():
    """A Redis database of its own for the smoke test's broker (the test broker's + 8).

    The rendered workers run production settings (staging's and prod's store media in
    S3): they must never take tasks that other tests send to the suite's own worker.
    """
    url = urlsplit(os.environ["CELERY_BROKER_URL"])
    db = (int(url.path.strip("/") or 0) + 8) % 16
    return url._replace(path=f"/{db}").geturl()


def local_url(name, cluster_url, overlay):
    """This machine's server for a URL that names a cluster service (its host mapped to 127.0.0.1)."""
    assert urlsplit(cluster_url).hostname in SERVICE_HOSTS[overlay], f"{name}={cluster_url}"
    local = {
        "DATABASE_URL": database_url(),
        "DATABASE_DIRECT_URL": database_url(),
        "REDIS_URL": os.environ["REDIS_URL"],
        "CELERY_BROKER_URL": smoke_broker_url(),
    }[name]
    assert urlsplit(local).hostname == "127.0.0.1"
    return local


def local_env(docs, container, overlay, tmp):
    env = container_env(docs, container, secrets=SECRETS[overlay])
    for name in ("DATABASE_URL", "DATABASE_DIRECT_URL", "REDIS_URL", "CELERY_BROKER_URL"):
        if name in env:
            env[name] = local_url(name, env[name], overlay)
    env["STATIC_ROOT"] = str(tmp / "static")
    if "MEDIA_ROOT" in env:
        env["MEDIA_ROOT"] = str(tmp / "media")
    if "PROMETHEUS_MULTIPROC_DIR" in env:
        env["PROMETHEUS_MULTIPROC_DIR"] = str(tmp / "prometheus")
    (tmp / "static").mkdir(parents=True)
    env.update(
        # The run's own Redis keys (scripts/test.sh), not those of a `make run` sharing the database.
        CACHE_KEY_PREFIX=os.environ.get("CACHE_KEY_PREFIX", "ringlet-test"),
        # The pod's /tmp emptyDir: the worker's heartbeat files go here.
        TMPDIR=str(tmp),
        HOME=str(tmp),
        PATH=f"{Path(PYTHON).parent}:/usr/bin:/bin",
        PYTHONUNBUFFERED="1",
        GUNICORN_BIND="127.0.0.1:0",
    )
    return env


def container_of(docs, kind, name):
    (container,) = pod_spec(get(docs, kind, name))["containers"]
    return container


class Cluster:
    """The overlay's Deployments, started from their rendered commands."""

    def __init__(self, overlay, tmp):
        self.overlay, self.tmp = overlay, tmp
        self.docs = render(overlay)
        self.processes, self.envs = {}, {}

    def run_job(self, name):
        container = container_of(self.docs, "Job", name)
        env = local_env(self.docs, container, self.overlay, self.tmp / name)
        return subprocess.run(
            container["command"], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=180
        )

    def start(self, name):
        container = container_of(self.docs, "Deployment", name)
        env = self.envs[name] = local_env(self.docs, container, self.overlay, self.tmp / name)
        self.processes[name] = Process(container["command"], env, self.tmp / f"{name}.log")

    def probe(self, name, probe):
        """Run a container's exec probe as the kubelet would; return the CompletedProcess."""
        command = container_of(self.docs, "Deployment", name)[probe]["exec"]["command"]
        return subprocess.run(command, cwd=BASE_DIR, env=self.envs[name], capture_output=True, text=True)

    def output(self, name):
        return self.processes[name].output()

    def stop(self):
        for process in self.processes.values():
            process.stop(timeout=30)


@pytest.fixture(scope="module", params=OVERLAYS)
def cluster(request, django_db_setup, django_db_blocker, tmp_path_factory):
    with django_db_blocker.unblock():
        cluster = Cluster(request.param, tmp_path_factory.mktemp(f"smoke-{request.param}"))
        # Release order: the migrate Job first, then the Deployments.
        cluster.migrate = cluster.run_job("ringlet-migrate")
        for name in ("ringlet-web", "ringlet-worker", "ringlet-media-worker", "ringlet-beat"):
            cluster.start(name)
    yield cluster
    cluster.stop()


def get_url(url, host):
    """``(status, JSON body)`` of a GET with this Host header; 503 is an answer, not an error."""
    request = urllib.request.Request(url, headers={"Host": host})  # noqa: S310 (a local test server)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_the_migrate_job_command_applies_migrations(cluster):
    assert cluster.migrate.returncode == 0, cluster.migrate.stderr
    assert "No migrations to apply" in cluster.migrate.stdout or "Applying" in cluster.migrate.stdout


def init_command(docs, name):
    (init,) = pod_spec(get(docs, "Deployment", name))["initContainers"]
    return init


def test_the_init_containers_let_pods_start_once_migrated(cluster):
    for name in ("ringlet-web", "ringlet-worker", "ringlet-media-worker", "ringlet-beat"):
        init = init_command(cluster.docs, name)
        env = local_env(cluster.docs, init, cluster.overlay, cluster.tmp / f"{name}-init")
        result = subprocess.run(
            init["command"], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, f"{name}: {result.stdout}{result.stderr}"
        assert "waiting for migrations" not in result.stdout


@pytest.fixture
def empty_database():
    """A fresh, empty PostgreSQL database on the test server, dropped afterwards."""
    source = settings.DATABASES["default"]
    name = f"{source['NAME']}_unmigrated"
    admin_url = database_url({**source, "NAME": "postgres"})
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield database_url({**source, "NAME": name})
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_pod_waits_in_its_init_container_until_the_migrate_job_has_run(empty_database, tmp_path):
    """Issue 15: `kubectl apply -k` starts Deployments and the Job together; no pod serves first."""
    docs = render("prod")
    init = init_command(docs, "ringlet-web")
    env = local_env(docs, init, "prod", tmp_path / "init")
    # Prod reaches the database through PgBouncer and, for the Job, directly: both the same here.
    env["DATABASE_URL"] = env["DATABASE_DIRECT_URL"] = empty_database
    waiting = subprocess.Popen(init["command"], cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, text=True)
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            waiting.wait(timeout=15)
        (job,) = pod_spec(get(docs, "Job", "ringlet-migrate"))["containers"]
        job_env = local_env(docs, job, "prod", tmp_path / "job")
        job_env["DATABASE_URL"] = job_env["DATABASE_DIRECT_URL"] = empty_database
        assert job_env["DATABASE_CONNECT_DIRECT"] == "True"  # the primary, not the pooler
        migrate = subprocess.run(
            job["command"], cwd=BASE_DIR, env=job_env, capture_output=True, text=True, timeout=300
        )
        assert migrate.returncode == 0, migrate.stderr
        # The next check (every 5 s) passes and the init container exits: the pod starts.
        assert waiting.wait(timeout=60) == 0
    finally:
        waiting.kill()
        output = waiting.stdout.read()
    assert "waiting for migrations" in output


@pytest.fixture(scope="module")
def s3_server():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.mark.parametrize("overlay", ["staging", "prod"])
def test_the_backup_cronjob_command_stores_a_dump_in_the_bucket(
    overlay, s3_server, tmp_path, django_db_setup
):
    docs = render(overlay)
    cron = get(docs, "CronJob", "ringlet-backup")
    (container,) = pod_spec(cron)["containers"]
    env = local_env(docs, container, overlay, tmp_path / "backup")
    # The overlay's bucket, on a local S3 server instead of AWS.
    env.update(AWS_S3_ENDPOINT_URL=s3_server, AWS_S3_ADDRESSING_STYLE="path")
    s3 = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name=env["AWS_S3_REGION_NAME"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )
    # Prod keeps its dumps in a bucket of their own (BACKUP_BUCKET_NAME), apart from the media.
    media_bucket = env["AWS_STORAGE_BUCKET_NAME"]
    bucket = env.get("BACKUP_BUCKET_NAME", media_bucket)
    assert (bucket != media_bucket) == (overlay == "prod")
    for name in {bucket, media_bucket}:
        s3.create_bucket(
            Bucket=name, CreateBucketConfiguration={"LocationConstraint": env["AWS_S3_REGION_NAME"]}
        )

    result = subprocess.run(
        container["command"], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300
    )

    assert result.returncode == 0, result.stdout + result.stderr
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="backups/")["Contents"])
    assert [k.rsplit(".", 1)[1] for k in keys] == ["dump", "json"]
    if bucket != media_bucket:
        assert "Contents" not in s3.list_objects_v2(Bucket=media_bucket)
    dump = s3.get_object(Bucket=bucket, Key=keys[0])["Body"].read()
    assert dump[:5] == b"PGDMP"
    listed = subprocess.run(
        [PYTHON, "manage.py", "backup_db", "--list"], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    assert listed.stdout.split("\t")[0] == keys[0].removeprefix("backups/").removesuffix(".dump")


def test_web_answers_its_probe_paths_on_plain_http_whatever_the_host(cluster):
    listening = wait_for(
        lambda: re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", cluster.output("ringlet-web")),
        timeout=60,
        message=f"gunicorn to listen:\n{cluster.output('ringlet-web')}",
    )
    base = f"http://127.0.0.1:{listening.group(1)}"
    web = container_of(cluster.docs, "Deployment", "ringlet-web")
    # The kubelet probes the pod IP, which is in no ALLOWED_HOSTS.
    pod_ip = "10.244.3.17:8000"
    for probe in ("startupProbe", "livenessProbe"):
        assert get_url(base + web[probe]["httpGet"]["path"], pod_ip) == (200, {"status": "ok"})
    _, body = wait_for(
        lambda: (r := get_url(base + web["readinessProbe"]["httpGet"]["path"], pod_ip))[0] == 200 and r,
        timeout=20,
        message="readiness",
    )
    assert body["checks"] == {"database": "ok", "cache": "ok", "broker": "ok"}
    # gunicorn's access log: one JSON object a line on stdout.
    access = wait_for(
        lambda: [
            line
            for line in map(_json_or_none, cluster.output("ringlet-web").splitlines())
            if line and line.get("logger") == "gunicorn.access" and line["path"] == "/ready/"
        ],
        timeout=10,
        message="an access log line",
    )
    assert access[0]["status"] == 200 and access[0]["method"] == "GET"


def web_base(cluster):
    listening = wait_for(
        lambda: re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", cluster.output("ringlet-web")),
        timeout=60,
        message=f"gunicorn to listen:\n{cluster.output('ringlet-web')}",
    )
    return f"http://127.0.0.1:{listening.group(1)}"


def test_web_serves_metrics_summed_over_its_gunicorn_workers_to_the_pod_ip_only(cluster):
    base = web_base(cluster)
    pod_ip = "10.244.3.17:8000"
    # Several requests, spread over the workers, all counted in one scrape.
    for _ in range(6):
        assert get_url(base + "/health/", pod_ip)[0] == 200
    request = urllib.request.Request(base + "/metrics", headers={"Host": pod_ip})  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        text = response.read().decode()
    families = {family.name: family for family in text_string_to_metric_families(text)}
    total = sum(
        s.value
        for s in families["django_http_requests_before_middlewares"].samples
        if s.name.endswith("_total")
    )
    assert total >= 6
    assert {s.labels["queue"] for s in families["ringlet_celery_queue_length"].samples} == {
        "default",
        "media",
    }
    # The worker processes wrote their files into the pod's PROMETHEUS_MULTIPROC_DIR.
    assert list(Path(cluster.envs["ringlet-web"]["PROMETHEUS_MULTIPROC_DIR"]).glob("*.db"))
    forwarded = urllib.request.Request(  # noqa: S310 (a local test server)
        base + "/metrics", headers={"Host": pod_ip, "X-Forwarded-For": "203.0.113.9"}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(forwarded, timeout=30)  # noqa: S310
    assert refused.value.code == 403


def _json_or_none(line):
    try:
        return json.loads(line)
    except ValueError:
        return None


@pytest.mark.parametrize(
    ("name", "queue"), [("ringlet-worker", "default"), ("ringlet-media-worker", "media")]
)
def test_workers_answer_a_ping_and_pass_their_own_probes(cluster, name, queue):
    node = f"{queue}@{socket.gethostname()}"

    def ping():
        # `celery inspect ping` run with the pod's own environment (and so its broker).
        result = subprocess.run(
            [CELERY, "--app=portal", "inspect", "ping", f"--destination={node}", "--timeout=3"],
            cwd=BASE_DIR,
            env=cluster.envs[name],
            capture_output=True,
            text=True,
            timeout=60,
        )
        return result.returncode == 0 and "pong" in result.stdout

    wait_for(ping, timeout=90, interval=1, message=f"{node} to answer a ping:\n{cluster.output(name)}")
    assert f"{queue}" in cluster.output(name)
    for probe in ("startupProbe", "livenessProbe"):
        result = cluster.probe(name, probe)
        assert result.returncode == 0, f"{probe}: {result.stdout}{result.stderr}"


def test_beat_starts_with_the_database_scheduler_and_writes_nothing_to_the_root(cluster):
    wait_for(
        lambda: "beat: Starting" in cluster.output("ringlet-beat"),
        timeout=60,
        message=f"beat to start:\n{cluster.output('ringlet-beat')}",
    )
    assert "DatabaseScheduler" in cluster.output("ringlet-beat")
    for probe in ("startupProbe", "livenessProbe"):
        result = cluster.probe("ringlet-beat", probe)
        assert result.returncode == 0, f"{probe}: {result.stdout}{result.stderr}"
    assert list(BASE_DIR.glob("celerybeat*")) == []
    assert cluster.processes["ringlet-beat"].popen.poll() is None


def test_every_process_stops_cleanly_on_sigterm_within_its_grace_period(cluster):
    for name, process in cluster.processes.items():
        grace = pod_spec(get(cluster.docs, "Deployment", name))["terminationGracePeriodSeconds"]
        process.popen.terminate()
        try:
            code = process.popen.wait(min(grace, 60))
        except subprocess.TimeoutExpired:
            raise AssertionError(f"{name} ignored SIGTERM:\n{cluster.output(name)}") from None
        assert code == 0, f"{name} exited {code}:\n{cluster.output(name)[-3000:]}"
    # A stopped worker no longer looks alive to its probe.
    assert cluster.probe("ringlet-worker", "livenessProbe").returncode == 1
