"""PostgreSQL in the overlays (issue 26): PgBouncer in transaction mode in front of prod's
managed database, Django set up for it, and what must bypass it."""

import copy
from urllib.parse import urlsplit

import pytest

from tests.deploy.manifests import (
    KUSTOMIZE_DIR,
    container_env,
    generated,
    get,
    of_kind,
    pod_labels,
    pod_spec,
    render,
    selects,
)
from tests.deploy.test_smoke import PROD_SECRETS


def env_of(container):
    return {item["name"]: item for item in container.get("env", [])}


def test_prod_puts_pgbouncer_in_transaction_mode_in_front_of_the_managed_database():
    docs = render("prod")
    pooler = get(docs, "Deployment", "ringlet-pgbouncer")
    (container,) = pod_spec(pooler)["containers"]
    env = env_of(container)
    assert env["POOL_MODE"]["value"] == "transaction"
    # Its upstream is the managed database itself, from the Secret made outside.
    assert env["DATABASE_URL"]["valueFrom"]["secretKeyRef"] == {
        "name": "ringlet-secrets",
        "key": "DATABASE_DIRECT_URL",
    }
    assert pooler["spec"]["replicas"] >= 2
    # Bounded server connections whatever the autoscalers do: pods x pool size.
    servers = pooler["spec"]["replicas"] * (
        int(env["DEFAULT_POOL_SIZE"]["value"]) + int(env["RESERVE_POOL_SIZE"]["value"])
    )
    assert servers <= 60
    assert int(env["MAX_CLIENT_CONN"]["value"]) >= 500
    service = get(docs, "Service", "ringlet-pgbouncer")
    assert selects({"matchLabels": service["spec"]["selector"]}, pod_labels(pooler))
    assert urlsplit_host(PROD_SECRETS["DATABASE_URL"]) == service["metadata"]["name"]
    # Only Ringlet's pods reach it.
    (policy,) = [
        p
        for p in of_kind(docs, "NetworkPolicy")
        if selects(p["spec"]["podSelector"], pod_labels(pooler)) and p["spec"].get("ingress")
    ]
    (rule,) = policy["spec"]["ingress"]
    assert rule["from"] == [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "ringlet"}}}]
    assert get(docs, "PodDisruptionBudget", "ringlet-pgbouncer")["spec"]["maxUnavailable"] == 1


def urlsplit_host(url):
    return urlsplit(url).hostname


def test_django_is_set_up_for_transaction_pooling_and_sessions_bypass_the_pooler():
    docs = render("prod")
    config = generated(docs, "ConfigMap", "ringlet-config")["data"]
    assert config["DATABASE_TRANSACTION_POOLING"] == "True"
    # The media worker's advisory locks and the migrate Job need a session of their own.
    for kind, name in (("Deployment", "ringlet-media-worker"), ("Job", "ringlet-migrate")):
        (container,) = pod_spec(get(docs, kind, name))["containers"]
        assert container_env(docs, container, secrets=PROD_SECRETS)["DATABASE_CONNECT_DIRECT"] == "True", name
    for name in ("ringlet-web", "ringlet-worker", "ringlet-beat"):
        (container,) = pod_spec(get(docs, "Deployment", name))["containers"]
        assert "DATABASE_CONNECT_DIRECT" not in container_env(docs, container, secrets=PROD_SECRETS), name


@pytest.mark.parametrize("overlay", ["dev", "staging"])
def test_without_a_pooler_nothing_claims_transaction_pooling(overlay):
    docs = render(overlay)
    assert "DATABASE_TRANSACTION_POOLING" not in generated(docs, "ConfigMap", "ringlet-config")["data"]
    assert [d for d in of_kind(docs, "Deployment") if d["metadata"]["name"] == "ringlet-pgbouncer"] == []


# --- CloudNativePG (overlays/prod-cnpg) ---------------------------------------------------------------
def test_prod_cnpg_runs_three_instances_in_three_zones_with_synchronous_replication():
    docs = render("prod-cnpg")
    cluster = get(docs, "Cluster", "ringlet-db")["spec"]
    assert cluster["instances"] == 3
    assert cluster["affinity"] == {
        "enablePodAntiAffinity": True,
        "topologyKey": "topology.kubernetes.io/zone",
        "podAntiAffinityType": "required",
    }
    # A commit is on a second zone before it returns: a failover loses nothing.
    assert cluster["postgresql"]["synchronous"]["number"] >= 1
    assert cluster["postgresql"]["synchronous"]["dataDurability"] == "required"
    # The server's major version is the image's pg_dump's (Dockerfile: postgresql-client-15).
    dockerfile = (KUSTOMIZE_DIR.parent / "Dockerfile").read_text()
    major = cluster["imageName"].rsplit(":", 1)[1].split(".")[0]
    assert f"postgresql-client-{major}" in dockerfile
    assert cluster["postgresql"]["parameters"]["timezone"] == "UTC"
    # The Pooler replaces prod's own PgBouncer.
    assert [d for d in docs if d["metadata"]["labels"].get("app.kubernetes.io/name") == "pgbouncer"] == []


def test_prod_cnpg_archives_wal_and_takes_daily_base_backups_to_a_bucket_of_their_own():
    docs = render("prod-cnpg")
    cluster = get(docs, "Cluster", "ringlet-db")["spec"]
    (plugin,) = cluster["plugins"]
    assert plugin["isWALArchiver"] is True
    store = get(docs, "ObjectStore", plugin["parameters"]["barmanObjectName"])["spec"]
    bucket = urlsplit(store["configuration"]["destinationPath"]).hostname
    config = generated(docs, "ConfigMap", "ringlet-config")["data"]
    # Apart from the media and from the logical dumps (manage.py backup_db).
    assert bucket not in {config["AWS_STORAGE_BUCKET_NAME"], config["BACKUP_BUCKET_NAME"]}
    assert config["AWS_STORAGE_BUCKET_NAME"] != config["BACKUP_BUCKET_NAME"]
    assert store["retentionPolicy"] == "30d"
    (scheduled,) = of_kind(docs, "ScheduledBackup")
    spec = scheduled["spec"]
    assert spec["cluster"] == {"name": "ringlet-db"}
    assert spec["method"] == "plugin" and spec["pluginConfiguration"]["name"] == plugin["name"]
    _seconds, _minute, hour, *every_day = spec["schedule"].split()
    assert every_day == ["*", "*", "*"] and hour.isdigit()
    # The logical dumps go on too: the CronJob stays.
    get(docs, "CronJob", "ringlet-backup")


def test_ringlet_connects_through_the_pooler_and_bypasses_it_where_a_session_is_needed():
    from tests.deploy.test_smoke import PROD_CNPG_SECRETS

    docs = render("prod-cnpg")
    pooler = get(docs, "Pooler", "ringlet-db-pooler-rw")["spec"]
    assert pooler["cluster"] == {"name": "ringlet-db"} and pooler["type"] == "rw"
    assert pooler["pgbouncer"]["poolMode"] == "transaction" and pooler["instances"] >= 2
    # CloudNativePG's Services: <pooler name> and <cluster>-rw (the primary).
    assert urlsplit_host(PROD_CNPG_SECRETS["DATABASE_URL"]) == "ringlet-db-pooler-rw"
    assert urlsplit_host(PROD_CNPG_SECRETS["DATABASE_DIRECT_URL"]) == "ringlet-db-rw"
    assert generated(docs, "ConfigMap", "ringlet-config")["data"]["DATABASE_TRANSACTION_POOLING"] == "True"


def test_the_namespaces_default_deny_leaves_cloudnative_pg_what_it_needs():
    docs = render("prod-cnpg")
    instance = {"cnpg.io/cluster": "ringlet-db", "cnpg.io/podRole": "instance"}
    pooler = {"cnpg.io/poolerName": "ringlet-db-pooler-rw"}
    ringlet = pod_labels(get(docs, "Deployment", "ringlet-web"))

    def opens(labels, direction, port, peer=None):
        for policy in of_kind(docs, "NetworkPolicy"):
            if not selects(policy["spec"]["podSelector"], labels):
                continue
            for rule in policy["spec"].get(direction, []):
                peers = rule.get("from" if direction == "ingress" else "to")
                ports = {p["port"] for p in rule.get("ports", [])}
                if port in ports and (peers is None or peer is None or any(peer(p) for p in peers)):
                    return True
        return False

    def pods(labels):
        return lambda p: (
            "podSelector" in p and "namespaceSelector" not in p and selects(p["podSelector"], labels)
        )

    def namespace(name):
        return lambda p: (
            p.get("namespaceSelector", {}).get("matchLabels") == {"kubernetes.io/metadata.name": name}
        )

    # Replication and status between instances; the Pooler and Ringlet's pods to PostgreSQL.
    assert opens(instance, "ingress", 5432, pods(instance)) and opens(
        instance, "egress", 5432, pods(instance)
    )
    assert opens(instance, "ingress", 8000, pods(instance))
    assert opens(instance, "ingress", 5432, pods(pooler)) and opens(pooler, "egress", 5432, pods(instance))
    assert opens(instance, "ingress", 5432, pods(ringlet)) and opens(pooler, "ingress", 5432, pods(ringlet))
    # The operator, the Kubernetes API, object storage (WAL, base backups), Prometheus.
    assert opens(instance, "ingress", 8000, namespace("cnpg-system"))
    assert opens(instance, "egress", 443) and opens(instance, "egress", 6443) and opens(pooler, "egress", 443)
    assert opens(instance, "ingress", 9187, namespace("monitoring"))
    # Nobody else: not the ingress controller, not another namespace's pods on 5432.
    assert not opens(instance, "ingress", 5432, namespace("ingress-nginx"))
    assert not opens(pooler, "ingress", 5432, pods({"app.kubernetes.io/name": "other"}))


def test_the_cloudnative_pg_schemas_reject_misspelt_fields_and_bad_values():
    from tests.deploy.test_render_validate import schema_errors

    docs = render("prod-cnpg")
    cnpg = [d for d in docs if d["apiVersion"].split("/")[0] in ("postgresql.cnpg.io", "barmancloud.cnpg.io")]
    assert sorted(d["kind"] for d in cnpg) == ["Cluster", "ObjectStore", "Pooler", "ScheduledBackup"]
    assert schema_errors(cnpg, "1.32") == []
    broken = copy.deepcopy(get(docs, "Cluster", "ringlet-db"))
    broken["spec"]["instance"] = 3  # instances
    anti = copy.deepcopy(get(docs, "Cluster", "ringlet-db"))
    anti["spec"]["affinity"]["podAntiAffinityType"] = "mandatory"
    mode = copy.deepcopy(get(docs, "Pooler", "ringlet-db-pooler-rw"))
    mode["spec"]["pgbouncer"]["poolMode"] = "statement"
    cron = copy.deepcopy(get(docs, "ScheduledBackup", "ringlet-db-daily"))
    cron["spec"]["schedule"] = "0 2 * * *"  # five fields: CloudNativePG's have six
    store = copy.deepcopy(get(docs, "ObjectStore", "ringlet-db-backups"))
    store["spec"]["retentionPolicy"] = "30 days"
    for doc in (broken, anti, mode, cron, store):
        assert len(schema_errors([doc], "1.32")) == 1, doc["kind"]
