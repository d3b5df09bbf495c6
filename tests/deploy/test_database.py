"""PostgreSQL in the overlays (issue 26): PgBouncer in transaction mode in front of prod's
managed database, Django set up for it, and what must bypass it."""

import pytest

from tests.deploy.manifests import (
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
    from urllib.parse import urlsplit

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
