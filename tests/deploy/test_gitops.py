"""GitOps (issue 26): Argo CD's sync waves put everything the migrate Job needs before it and
every pod that waits for it after; Flux recreates the Job when it changes; a Secret's
change rolls the pods (a generated Secret's hash, or Reloader for one made outside)."""

import shutil
import subprocess

import pytest
import yaml

from tests.deploy.manifests import (
    KUBECTL,
    KUSTOMIZE_DIR,
    OVERLAYS,
    generated,
    get,
    of_kind,
    pod_labels,
    pod_spec,
    pod_template,
    render,
    selects,
    workloads,
)

WAVE = "argocd.argoproj.io/sync-wave"
HOOK = "argocd.argoproj.io/hook"


def annotations(doc):
    return doc["metadata"].get("annotations") or {}


def wave(doc):
    return int(annotations(doc).get(WAVE, "0"))


def needed_by(docs, workload):
    """What a pod of ``workload`` needs to exist before it can start and reach PostgreSQL:
    its namespace, ServiceAccount, ConfigMaps and Secrets (when rendered here), the
    NetworkPolicies that select it, and the database with the pooler in front of it."""
    spec = pod_spec(workload)
    names = {("ServiceAccount", spec["serviceAccountName"])}
    for container in spec.get("initContainers", []) + spec["containers"]:
        for source in container.get("envFrom", []):
            ref = source.get("configMapRef") or source.get("secretRef")
            names.add(("ConfigMap" if "configMapRef" in source else "Secret", ref["name"]))
    needed = [d for d in docs if (d["kind"], d["metadata"]["name"]) in names]
    needed += of_kind(docs, "Namespace")
    needed += [
        p for p in of_kind(docs, "NetworkPolicy") if selects(p["spec"]["podSelector"], pod_labels(workload))
    ]
    database = {"postgres", "pgbouncer"}
    needed += [
        d
        for d in docs
        if d["metadata"]["labels"].get("app.kubernetes.io/name") in database
        and d["kind"] in ("StatefulSet", "Deployment", "Service")
    ]
    needed += [
        d
        for d in docs
        if d["apiVersion"].startswith(("postgresql.cnpg.io/", "barmancloud.cnpg.io/"))
        and d["kind"] in ("Cluster", "Pooler", "ObjectStore")
    ]
    return needed


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_argo_cd_syncs_what_the_migrate_job_needs_before_it_and_the_app_after(overlay):
    docs = render(overlay)
    job = get(docs, "Job", "ringlet-migrate")
    # A Sync hook (not PreSync: that runs before any Sync-phase resource exists), made
    # afresh on every sync, ordered by its wave among the other Sync-phase resources.
    assert annotations(job)[HOOK] == "Sync"
    assert annotations(job)["argocd.argoproj.io/hook-delete-policy"] == "BeforeHookCreation"
    needed = needed_by(docs, job)
    kinds = {d["kind"] for d in needed}
    assert {"Namespace", "ServiceAccount", "ConfigMap", "NetworkPolicy"} <= kinds
    if overlay in ("dev", "staging"):
        assert "StatefulSet" in kinds  # the in-cluster PostgreSQL
    if overlay == "prod":
        assert ("Deployment", "ringlet-pgbouncer") in {(d["kind"], d["metadata"]["name"]) for d in needed}
    for doc in needed:
        assert wave(doc) < wave(job), f"{doc['kind']}/{doc['metadata']['name']} is needed by the migrate Job"
        assert HOOK not in annotations(doc)
    # Everything that waits for the migrations comes after them.
    for workload in workloads(docs):
        waits = any(c["name"] == "wait-for-migrations" for c in pod_spec(workload).get("initContainers", []))
        if waits or workload["kind"] == "CronJob":
            assert wave(workload) > wave(job), workload["metadata"]["name"]
    # Nothing else is a hook but dev's demo content, which runs once all is synced.
    hooks = {d["metadata"]["name"]: annotations(d)[HOOK] for d in docs if HOOK in annotations(d)}
    assert hooks == {
        "ringlet-migrate": "Sync",
        **({"ringlet-demo-content": "PostSync"} if overlay == "dev" else {}),
    }


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_flux_recreates_the_immutable_jobs_when_their_template_changes(overlay):
    docs = render(overlay)
    for job in of_kind(docs, "Job"):
        assert annotations(job)["kustomize.toolkit.fluxcd.io/force"] == "enabled", job["metadata"]["name"]
    # Flux applies namespaces first, then the rest in one server-side apply: the pods'
    # init containers, not the apply order, hold them until the Job has migrated.
    for name in ("ringlet-web", "ringlet-worker", "ringlet-media-worker", "ringlet-beat"):
        (init,) = pod_spec(get(docs, "Deployment", name))["initContainers"]
        assert "migrate --check" in init["command"][2]


def test_a_new_config_renames_the_configmap_so_argo_reruns_the_job_after_the_new_one_exists(tmp_path):
    """On a config change the hash-named ConfigMap is new: it is in wave -3, the Job that
    reads it (re-created on every sync) in wave -1, so the Job never waits for a missing one."""
    before = render("prod")
    tree = tmp_path / "kustomize"
    shutil.copytree(KUSTOMIZE_DIR, tree)
    config = tree / "overlays/prod/config.env"
    config.write_text(config.read_text() + "LOG_LEVEL=DEBUG\n")
    after = render_tree(tree / "overlays/prod")
    old, new = (generated(d, "ConfigMap", "ringlet-config") for d in (before, after))
    assert old["metadata"]["name"] != new["metadata"]["name"]
    job = get(after, "Job", "ringlet-migrate")
    assert {"configMapRef": {"name": new["metadata"]["name"]}} in pod_spec(job)["containers"][0]["envFrom"]
    assert wave(new) < wave(job)


def render_tree(path):
    result = subprocess.run([KUBECTL, "kustomize", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


# --- Secrets roll the pods --------------------------------------------------------------------------
def test_a_changed_generated_secret_changes_every_pod_template_that_reads_it(tmp_path):
    """Dev's Secret comes from a secretGenerator: a new value is a new name (the hash), so
    rendering twice with different values changes every pod template that reads it."""
    tree = tmp_path / "kustomize"
    shutil.copytree(KUSTOMIZE_DIR, tree)
    first = render_tree(tree / "overlays/dev")
    sample = tree / "overlays/dev/secrets.sample.env"
    sample.write_text(
        sample.read_text().replace(
            "DEMO_ADMIN_PASSWORD=dev-only-admin-password", "DEMO_ADMIN_PASSWORD=rotated"
        )
    )
    second = render_tree(tree / "overlays/dev")
    old = generated(first, "Secret", "ringlet-secrets")["metadata"]["name"]
    new = generated(second, "Secret", "ringlet-secrets")["metadata"]["name"]
    assert old != new
    readers = [w for w in workloads(first) if old in yaml.safe_dump(pod_template(w))]
    assert {w["metadata"]["name"] for w in readers} >= {
        "ringlet-web",
        "ringlet-worker",
        "ringlet-media-worker",
        "ringlet-beat",
        "ringlet-migrate",
    }
    for workload in readers:
        rotated = get(second, workload["kind"], workload["metadata"]["name"])
        assert pod_template(rotated) != pod_template(workload)
        assert new in yaml.safe_dump(pod_template(rotated)) and old not in yaml.safe_dump(
            pod_template(rotated)
        )
    # Nothing else changed.
    unchanged = [d for d in first if d["kind"] != "Secret" and old not in yaml.safe_dump(d)]
    for doc in unchanged:
        assert doc in second, f"{doc['kind']}/{doc['metadata']['name']}"


@pytest.mark.parametrize("overlay", ["staging", "prod"])
def test_every_deployment_reading_the_secret_made_outside_is_rolled_by_reloader(overlay):
    docs = render(overlay)
    assert of_kind(docs, "Secret") == []
    for deployment in of_kind(docs, "Deployment"):
        text = yaml.safe_dump(pod_template(deployment))
        reloads = annotations(deployment).get("secret.reloader.stakater.com/reload", "")
        if "ringlet-secrets" in text:
            assert "ringlet-secrets" in reloads.split(","), deployment["metadata"]["name"]
    assert not (KUSTOMIZE_DIR / "overlays" / overlay / "secrets-hash.yaml").exists()
