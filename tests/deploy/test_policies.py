"""The deployment rules of issue 6, asserted on the rendered output of every overlay."""

import copy
import re

import pytest
import yaml

from tests.deploy.manifests import (
    APP_DEPLOYMENTS,
    AUTOSCALED,
    KUSTOMIZE_DIR,
    OVERLAYS,
    container_env,
    containers,
    generated,
    get,
    of_kind,
    pod_labels,
    pod_spec,
    render,
    selects,
    workloads,
)
from tests.deploy.test_gunicorn import gunicorn_settings

STAGING_SECRETS = {"SECRET_KEY": "x" * 50, "DATABASE_URL": "postgres://u:p@postgres:5432/ringlet"}
QUANTITY = re.compile(r"^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi)?$")
UNITS = {None: 1, "m": 0.001, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30}

overlays = pytest.mark.parametrize("overlay", OVERLAYS)


def quantity(text):
    number, unit = QUANTITY.match(str(text)).groups()
    return float(number) * UNITS[unit]


def app_workloads(docs):
    return [w for w in workloads(docs) if pod_labels(w).get("app.kubernetes.io/name") == "ringlet"]


def long_running(docs):
    return [w for w in workloads(docs) if w["kind"] != "Job"]


def command(workload):
    (container,) = pod_spec(workload)["containers"]
    return container.get("command", []) + container.get("args", [])


def prestop_seconds(container):
    cmd = container["lifecycle"]["preStop"]["exec"]["command"]
    assert cmd[0] == "sleep", cmd
    return int(cmd[1])


# --- Processes --------------------------------------------------------------------------------------
@overlays
def test_one_image_runs_every_process_with_its_own_command(overlay):
    docs = render(overlay)
    images = {c["image"] for w in app_workloads(docs) for c in containers(w)}
    assert len(images) == 1
    assert command(get(docs, "Deployment", "ringlet-web")) == ["gunicorn", "--config", "gunicorn.conf.py"]
    worker = command(get(docs, "Deployment", "ringlet-worker"))
    assert worker[:3] == ["celery", "--app=portal", "worker"] and "--queues=default" in worker
    media = command(get(docs, "Deployment", "ringlet-media-worker"))
    assert media[:3] == ["celery", "--app=portal", "worker"] and "--queues=media" in media
    beat = command(get(docs, "Deployment", "ringlet-beat"))
    assert beat[:3] == ["celery", "--app=portal", "beat"]
    # Nothing written to the read-only root: no pidfile, the schedule file under /tmp.
    assert "--pidfile=" in beat and "--schedule=/tmp/celerybeat-schedule" in beat


@overlays
def test_migrations_run_in_one_job_and_never_in_init_containers(overlay):
    docs = render(overlay)
    job = get(docs, "Job", "ringlet-migrate")
    assert command(job) == ["python", "manage.py", "migrate", "--no-input"]
    assert pod_spec(job)["restartPolicy"] == "Never"
    for workload in workloads(docs):
        assert "initContainers" not in pod_spec(workload), workload["metadata"]["name"]
        if workload["metadata"]["name"] != "ringlet-migrate":
            assert "migrate" not in command(workload)


@overlays
def test_settings_module_is_production_and_environment_comes_from_the_configmap(overlay):
    docs = render(overlay)
    config = generated(docs, "ConfigMap", "ringlet-config")
    assert config["data"]["DJANGO_SETTINGS_MODULE"] == "portal.settings.production"
    assert config["data"]["ALLOWED_HOSTS"]
    for workload in app_workloads(docs):
        for container in containers(workload):
            refs = [s.get("configMapRef", s.get("secretRef"))["name"] for s in container["envFrom"]]
            assert refs[0] == config["metadata"]["name"]
            assert refs[1].startswith("ringlet-secrets")
    # Secrets never sit in the ConfigMap.
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "EMAIL_URL"}.isdisjoint(config["data"])


# --- Scaling ----------------------------------------------------------------------------------------
@overlays
def test_beat_is_exactly_one_pod_recreated_and_never_autoscaled(overlay):
    docs = render(overlay)
    beat = get(docs, "Deployment", "ringlet-beat")
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"] == {"type": "Recreate"}
    targets = {hpa["spec"]["scaleTargetRef"]["name"] for hpa in of_kind(docs, "HorizontalPodAutoscaler")}
    assert "ringlet-beat" not in targets


@pytest.mark.parametrize("overlay", ["staging", "prod"])
def test_autoscalers_own_the_pod_counts_with_the_issue_numbers(overlay):
    docs = render(overlay)
    hpas = {hpa["spec"]["scaleTargetRef"]["name"]: hpa for hpa in of_kind(docs, "HorizontalPodAutoscaler")}
    assert set(hpas) == set(AUTOSCALED)
    for name, hpa in hpas.items():
        assert hpa["apiVersion"] == "autoscaling/v2"
        assert hpa["spec"]["scaleTargetRef"]["kind"] == "Deployment"
        assert "replicas" not in get(docs, "Deployment", name)["spec"], f"{name}: left to the HPA"

    def cpu_target(hpa):
        (metric,) = hpa["spec"]["metrics"]
        assert metric["type"] == "Resource" and metric["resource"]["name"] == "cpu"
        assert metric["resource"]["target"]["type"] == "Utilization"
        return metric["resource"]["target"]["averageUtilization"]

    web = hpas["ringlet-web"]["spec"]
    assert (web["minReplicas"], web["maxReplicas"], cpu_target(hpas["ringlet-web"])) == (3, 10, 70)
    assert web["behavior"]["scaleUp"]["stabilizationWindowSeconds"] == 0
    assert max(p["value"] for p in web["behavior"]["scaleUp"]["policies"] if p["type"] == "Percent") >= 100
    assert all(p["periodSeconds"] <= 15 for p in web["behavior"]["scaleUp"]["policies"])
    assert web["behavior"]["scaleDown"]["stabilizationWindowSeconds"] == 300
    media = hpas["ringlet-media-worker"]["spec"]
    assert (media["minReplicas"], media["maxReplicas"], cpu_target(hpas["ringlet-media-worker"])) == (
        2,
        6,
        75,
    )


def test_dev_runs_one_pod_per_process_without_autoscalers():
    docs = render("dev")
    assert of_kind(docs, "HorizontalPodAutoscaler") == []
    for deployment in of_kind(docs, "Deployment"):
        assert deployment["spec"]["replicas"] == 1


@overlays
def test_web_and_workers_have_disruption_budgets(overlay):
    docs = render(overlay)
    for name in AUTOSCALED:
        labels = pod_labels(get(docs, "Deployment", name))
        budgets = [
            pdb for pdb in of_kind(docs, "PodDisruptionBudget") if selects(pdb["spec"]["selector"], labels)
        ]
        assert len(budgets) == 1, name
        assert budgets[0]["apiVersion"] == "policy/v1"
        # maxUnavailable (not minAvailable) never blocks a drain when only one pod runs.
        assert budgets[0]["spec"]["maxUnavailable"] == 1


# --- Pods ---------------------------------------------------------------------------------------------
@overlays
def test_every_container_is_locked_down(overlay):
    docs = render(overlay)
    assert workloads(docs)
    for workload in workloads(docs):
        spec = pod_spec(workload)
        pod = spec["securityContext"]
        assert pod["runAsNonRoot"] is True and pod["runAsUser"] > 0
        assert pod["seccompProfile"] == {"type": "RuntimeDefault"}
        assert spec["automountServiceAccountToken"] is False
        tmp_volumes = {v["name"] for v in spec["volumes"] if "emptyDir" in v}
        for container in containers(workload):
            where = f"{workload['metadata']['name']}/{container['name']}"
            sc = container["securityContext"]
            assert sc["runAsNonRoot"] is True, where
            assert sc["readOnlyRootFilesystem"] is True, where
            assert sc["allowPrivilegeEscalation"] is False, where
            assert sc["capabilities"] == {"drop": ["ALL"]}, where
            assert sc["seccompProfile"] == {"type": "RuntimeDefault"}, where
            assert "privileged" not in sc, where
            mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
            assert mounts.get("/tmp") in tmp_volumes, f"{where}: /tmp must be an emptyDir"


@overlays
def test_every_container_has_requests_and_a_memory_limit(overlay):
    for workload in workloads(render(overlay)):
        for container in containers(workload):
            resources = container["resources"]
            assert quantity(resources["requests"]["cpu"]) > 0
            assert quantity(resources["requests"]["memory"]) > 0
            assert quantity(resources["limits"]["memory"]) >= quantity(resources["requests"]["memory"])


@overlays
def test_the_service_account_mounts_no_token(overlay):
    docs = render(overlay)
    account = get(docs, "ServiceAccount", "ringlet")
    assert account["automountServiceAccountToken"] is False
    for workload in app_workloads(docs):
        assert pod_spec(workload)["serviceAccountName"] == "ringlet"


@overlays
def test_every_long_running_container_has_three_probes_and_liveness_never_needs_the_database(overlay):
    docs = render(overlay)
    for workload in long_running(docs):
        for container in containers(workload):
            for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
                assert probe in container, f"{workload['metadata']['name']}: {probe}"
    web = pod_spec(get(docs, "Deployment", "ringlet-web"))["containers"][0]
    assert web["livenessProbe"]["httpGet"] == {"path": "/health/", "port": "http"}
    assert web["startupProbe"]["httpGet"] == {"path": "/health/", "port": "http"}
    assert web["readinessProbe"]["httpGet"] == {"path": "/ready/", "port": "http"}
    assert {"name": "http", "containerPort": 8000} in web["ports"]
    for name in ("ringlet-worker", "ringlet-media-worker"):
        container = pod_spec(get(docs, "Deployment", name))["containers"][0]
        # A file the worker's own loop touches: no broker, no database, no Django start-up.
        assert container["livenessProbe"]["exec"]["command"] == ["python", "portal/probes.py", "worker-alive"]
        assert container["readinessProbe"]["exec"]["command"] == [
            "python",
            "portal/probes.py",
            "worker-ready",
        ]
    beat = pod_spec(get(docs, "Deployment", "ringlet-beat"))["containers"][0]
    assert beat["livenessProbe"]["exec"]["command"] == ["python", "portal/probes.py", "beat-alive"]


@overlays
def test_shutdown_is_graceful(overlay):
    docs = render(overlay)
    for name in APP_DEPLOYMENTS:
        deployment = get(docs, "Deployment", name)
        spec = pod_spec(deployment)
        (container,) = spec["containers"]
        pause = prestop_seconds(container)
        assert pause > 0
        env = container_env(docs, container, secrets=STAGING_SECRETS)
        if name == "ringlet-web":
            settings = gunicorn_settings(env)
            # SIGTERM reaches gunicorn after the pause; it then has graceful_timeout to finish.
            assert settings["timeout"] <= settings["graceful_timeout"]
            longest = settings["graceful_timeout"]
        elif name == "ringlet-beat":
            longest = 10
        else:
            # Celery's warm shutdown lets running tasks finish; the hard limit bounds them.
            assert int(env["CELERY_TASK_SOFT_TIME_LIMIT"]) < int(env["CELERY_TASK_TIME_LIMIT"])
            longest = int(env["CELERY_TASK_TIME_LIMIT"])
        assert spec["terminationGracePeriodSeconds"] > pause + longest, name


# --- Network ----------------------------------------------------------------------------------------
def policies_for(docs, labels, direction):
    """The policies that open a path in ``direction`` ("Ingress" or "Egress") for these pod labels."""
    return [
        policy
        for policy in of_kind(docs, "NetworkPolicy")
        if selects(policy["spec"]["podSelector"], labels)
        and direction in policy["spec"]["policyTypes"]
        and policy["spec"].get(direction.lower())
    ]


def egress_allows(docs, labels, port, protocol="TCP"):
    for policy in policies_for(docs, labels, "Egress"):
        for rule in policy["spec"].get("egress", []):
            if any(p["port"] == port and p.get("protocol", "TCP") == protocol for p in rule.get("ports", [])):
                return rule
    return None


@overlays
def test_network_is_denied_by_default_and_opened_path_by_path(overlay):
    docs = render(overlay)
    deny = get(docs, "NetworkPolicy", "default-deny-all")["spec"]
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}

    web = pod_labels(get(docs, "Deployment", "ringlet-web"))
    (from_ingress,) = policies_for(docs, web, "Ingress")
    (rule,) = from_ingress["spec"]["ingress"]
    assert rule["ports"] == [{"protocol": "TCP", "port": 8000}]
    (source,) = rule["from"]
    assert source["namespaceSelector"]["matchLabels"] == {"kubernetes.io/metadata.name": "ingress-nginx"}
    assert source["podSelector"]["matchLabels"] == {"app.kubernetes.io/name": "ingress-nginx"}

    for workload in app_workloads(docs):
        labels = pod_labels(workload)
        name = workload["metadata"]["name"]
        if name != "ringlet-web":
            assert policies_for(docs, labels, "Ingress") == [], f"{name} accepts no connections"
        dns_udp, dns_tcp = egress_allows(docs, labels, 53, "UDP"), egress_allows(docs, labels, 53, "TCP")
        assert dns_udp and dns_tcp, name
        assert dns_udp["to"][0]["podSelector"]["matchLabels"] == {"k8s-app": "kube-dns"}
        assert egress_allows(docs, labels, 5432), f"{name} reaches PostgreSQL"
        assert egress_allows(docs, labels, 6379), f"{name} reaches Redis"


@pytest.mark.parametrize("overlay", ["dev", "staging"])
def test_in_cluster_data_services_accept_only_ringlet_pods(overlay):
    docs = render(overlay)
    for name, port in (("postgres", 5432), ("redis", 6379)):
        labels = pod_labels(get(docs, "StatefulSet", name))
        (policy,) = policies_for(docs, labels, "Ingress")
        (rule,) = policy["spec"]["ingress"]
        assert rule["from"] == [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "ringlet"}}}]
        assert rule["ports"] == [{"protocol": "TCP", "port": port}]


@overlays
def test_ingress_terminates_tls_through_cert_manager_and_accepts_large_uploads(overlay):
    docs = render(overlay)
    ingress = get(docs, "Ingress", "ringlet")
    assert ingress["apiVersion"] == "networking.k8s.io/v1"
    annotations = ingress["metadata"]["annotations"]
    assert annotations["cert-manager.io/cluster-issuer"]
    assert quantity(annotations["nginx.ingress.kubernetes.io/proxy-body-size"].replace("g", "Gi")) >= 2**30
    host = ingress["spec"]["rules"][0]["host"]
    assert ingress["spec"]["tls"] == [{"hosts": [host], "secretName": "ringlet-tls"}]
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    service = get(docs, "Service", backend["name"])
    assert selects(
        {"matchLabels": service["spec"]["selector"]}, pod_labels(get(docs, "Deployment", "ringlet-web"))
    )
    config = generated(docs, "ConfigMap", "ringlet-config")["data"]
    assert host in config["ALLOWED_HOSTS"].split(",")
    assert f"https://{host}" in config["CSRF_TRUSTED_ORIGINS"].split(",")


@overlays
def test_labels_are_added_without_touching_selectors(overlay):
    for doc in render(overlay):
        labels = doc["metadata"]["labels"]
        assert labels["app.kubernetes.io/part-of"] == "ringlet", doc["metadata"]["name"]
        assert labels["app.kubernetes.io/instance"] == f"ringlet-{overlay}"
        selector = doc.get("spec", {}).get("selector", {})
        if isinstance(selector, dict):
            assert "app.kubernetes.io/part-of" not in selector.get("matchLabels", selector)
            assert "app.kubernetes.io/instance" not in selector.get("matchLabels", selector)


# --- Environments ---------------------------------------------------------------------------------
def test_dev_generates_its_secret_from_the_sample_and_keeps_media_on_a_volume_claim():
    docs = render("dev")
    secret = generated(docs, "Secret", "ringlet-secrets")
    sample = dict(
        line.split("=", 1)
        for line in (KUSTOMIZE_DIR / "overlays/dev/secrets.sample.env").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert container_env(docs, {"envFrom": [{"secretRef": {"name": secret["metadata"]["name"]}}]}) == sample
    assert "AWS_STORAGE_BUCKET_NAME" not in generated(docs, "ConfigMap", "ringlet-config")["data"]
    media_root = generated(docs, "ConfigMap", "ringlet-config")["data"]["MEDIA_ROOT"]
    get(docs, "PersistentVolumeClaim", "ringlet-media")
    for name in AUTOSCALED:
        spec = pod_spec(get(docs, "Deployment", name))
        claims = {
            v["name"]: v["persistentVolumeClaim"]["claimName"]
            for v in spec["volumes"]
            if "persistentVolumeClaim" in v
        }
        mounts = {m["mountPath"]: m["name"] for m in spec["containers"][0]["volumeMounts"]}
        assert claims[mounts[media_root]] == "ringlet-media", name
    demo = get(docs, "Job", "ringlet-demo-content")
    assert command(demo) == ["python", "manage.py", "demo_content"]
    assert "DEMO_ADMIN_PASSWORD" in sample


@pytest.mark.parametrize("overlay", ["dev", "staging"])
def test_dev_and_staging_run_postgres_15_and_redis_7_with_volume_claims(overlay):
    docs = render(overlay)
    postgres = get(docs, "StatefulSet", "postgres")
    assert pod_spec(postgres)["containers"][0]["image"].startswith("postgres:15")
    assert postgres["spec"]["volumeClaimTemplates"][0]["metadata"]["name"] == "data"
    redis = get(docs, "StatefulSet", "redis")
    (container,) = pod_spec(redis)["containers"]
    assert container["image"].startswith("redis:7")
    assert container["command"][container["command"].index("--appendonly") + 1] == "yes"
    data_dir = container["command"][container["command"].index("--dir") + 1]
    assert {"name": "data", "mountPath": data_dir} in container["volumeMounts"]
    assert redis["spec"]["volumeClaimTemplates"][0]["metadata"]["name"] == "data"
    # The app's URLs point at these in-cluster services.
    if overlay == "dev":
        secrets = container_env(
            docs,
            {
                "envFrom": [
                    {"secretRef": {"name": generated(docs, "Secret", "ringlet-secrets")["metadata"]["name"]}}
                ]
            },
        )
        assert "@postgres:5432/" in secrets["DATABASE_URL"]
        assert secrets["REDIS_URL"].startswith("redis://redis:6379/")


@pytest.mark.parametrize("overlay", ["staging", "prod"])
def test_staging_and_prod_keep_media_in_object_storage_and_secrets_out_of_the_repository(overlay):
    docs = render(overlay)
    config = generated(docs, "ConfigMap", "ringlet-config")["data"]
    assert config["AWS_STORAGE_BUCKET_NAME"]
    assert "MEDIA_ROOT" not in config
    assert of_kind(docs, "Secret") == [] and of_kind(docs, "PersistentVolumeClaim") == []
    assert not (KUSTOMIZE_DIR / "overlays" / overlay / "secrets.sample.env").exists()


def test_prod_pins_the_image_by_digest_spreads_pods_and_uses_managed_data_services():
    docs = render("prod")
    assert of_kind(docs, "StatefulSet") == []
    for workload in app_workloads(docs):
        for container in containers(workload):
            assert re.fullmatch(r"[a-z0-9./-]+@sha256:[0-9a-f]{64}", container["image"]), container["image"]
    for name in AUTOSCALED:
        deployment = get(docs, "Deployment", name)
        constraints = pod_spec(deployment)["topologySpreadConstraints"]
        assert {c["topologyKey"] for c in constraints} == {
            "topology.kubernetes.io/zone",
            "kubernetes.io/hostname",
        }
        for constraint in constraints:
            assert selects(constraint["labelSelector"], pod_labels(deployment))
            assert "app.kubernetes.io/component" in constraint["matchLabelKeys"]
    web = pod_spec(get(docs, "Deployment", "ringlet-web"))["containers"][0]["resources"]
    assert web == {"requests": {"cpu": "500m", "memory": "512Mi"}, "limits": {"memory": "1Gi"}}
    kustomization = yaml.safe_load((KUSTOMIZE_DIR / "overlays/prod/kustomization.yaml").read_text())
    assert kustomization["images"][0]["digest"].startswith("sha256:")


def without_environment(docs):
    """Staging's or prod's documents with their environment taken out, for comparison."""
    normal = {}
    for doc in copy.deepcopy(docs):
        kind, name = doc["kind"], doc["metadata"]["name"]
        doc["metadata"].pop("namespace", None)
        doc["metadata"]["labels"].pop("app.kubernetes.io/instance", None)
        if kind == "Namespace":
            continue
        if kind == "ConfigMap":
            name = name.rsplit("-", 1)[0]
            doc["metadata"]["name"] = name
            doc.pop("data")
        if kind == "Ingress":
            doc["spec"]["rules"][0]["host"] = doc["spec"]["tls"][0]["hosts"][0] = "HOST"
        if kind in ("Deployment", "Job"):
            spec = pod_spec(doc)
            spec.pop("topologySpreadConstraints", None)
            for container in spec["containers"]:
                container["image"] = "IMAGE"
                container["envFrom"][0]["configMapRef"]["name"] = "ringlet-config"
                if name == "ringlet-web":
                    container.pop("resources")
        normal[(kind, name)] = doc
    return normal


def test_staging_and_prod_differ_only_in_environment_data_services_and_prod_pinning():
    staging, prod = without_environment(render("staging")), without_environment(render("prod"))
    component = {
        key
        for key, doc in staging.items()
        if doc["metadata"]["labels"].get("app.kubernetes.io/name") in ("postgres", "redis")
    }
    assert {key[0] for key in component} == {"StatefulSet", "Service", "NetworkPolicy"}
    assert set(staging) - component == set(prod)
    for key in prod:
        assert staging[key] == prod[key], key


@overlays
def test_the_first_release_step_applies_everything_the_migrate_job_needs(overlay):
    """kustomize/README.md applies `component in (namespace,config,network,migrate)` first."""
    readme = (KUSTOMIZE_DIR / "README.md").read_text()
    selected = re.search(r"-l 'app\.kubernetes\.io/component in \(([a-z,]+)\)'", readme).group(1).split(",")
    docs = render(overlay)
    first = {
        (doc["kind"], doc["metadata"]["name"])
        for doc in docs
        if doc["metadata"]["labels"].get("app.kubernetes.io/component") in selected
    }
    job = get(docs, "Job", "ringlet-migrate")
    needed = {("Job", "ringlet-migrate"), ("ServiceAccount", pod_spec(job)["serviceAccountName"])}
    needed |= {
        (doc["kind"], doc["metadata"]["name"])
        for doc in docs
        if doc["kind"] in ("Namespace", "NetworkPolicy")
    }
    for source in pod_spec(job)["containers"][0]["envFrom"]:
        ref = source.get("configMapRef") or source["secretRef"]
        kind = "ConfigMap" if "configMapRef" in source else "Secret"
        if any(d["kind"] == kind and d["metadata"]["name"] == ref["name"] for d in docs):
            needed.add((kind, ref["name"]))
    assert needed - first == set()
    # Web, the workers and beat come in the second step only.
    assert not any(kind == "Deployment" for kind, _ in first)
