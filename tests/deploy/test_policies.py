"""The deployment rules of issue 6, asserted on the rendered output of every overlay."""

import copy
import re
from urllib.parse import urlsplit

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
from tests.deploy.test_smoke import SECRETS as SMOKE_SECRETS

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
    return [w for w in workloads(docs) if w["kind"] not in ("Job", "CronJob")]


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


WAIT_FOR_MIGRATIONS = re.compile(
    r"^until python manage\.py migrate --check --no-input; do .*sleep \d+; done$"
)


@overlays
def test_migrations_run_in_one_job_and_every_app_pod_waits_for_them(overlay):
    """Issue 15: a plain `kubectl apply -k` never serves an unmigrated schema."""
    docs = render(overlay)
    job = get(docs, "Job", "ringlet-migrate")
    assert command(job) == ["python", "manage.py", "migrate", "--no-input"]
    assert pod_spec(job)["restartPolicy"] == "Never"
    # Argo CD runs it in its sync wave (tests/deploy/test_gitops.py); Flux recreates it when
    # its template changes; for kubectl it removes itself after finishing, so the next apply
    # creates it afresh.
    annotations = job["metadata"]["annotations"]
    assert annotations["argocd.argoproj.io/hook"] == "Sync"
    assert annotations["argocd.argoproj.io/hook-delete-policy"] == "BeforeHookCreation"
    assert annotations["kustomize.toolkit.fluxcd.io/force"] == "enabled"
    assert 0 < job["spec"]["ttlSecondsAfterFinished"] <= 3600
    app_container = pod_spec(get(docs, "Deployment", "ringlet-web"))["containers"][0]
    for name in APP_DEPLOYMENTS:
        spec = pod_spec(get(docs, "Deployment", name))
        (init,) = spec["initContainers"]
        assert init["command"][:2] == ["sh", "-c"], name
        assert WAIT_FOR_MIGRATIONS.match(init["command"][2]), init["command"]
        # The same image and environment as the app, so it checks this release's migrations.
        assert init["image"] == spec["containers"][0]["image"] == app_container["image"]
        assert init["envFrom"] == spec["containers"][0]["envFrom"]
    for workload in workloads(docs):
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
    # The media worker is scaled by KEDA on its queue (its own test below), never on CPU.
    assert set(hpas) == {"ringlet-web", "ringlet-worker", "ringlet-edge"}
    for name, hpa in hpas.items():
        assert hpa["apiVersion"] == "autoscaling/v2"
        assert hpa["spec"]["scaleTargetRef"]["kind"] == "Deployment"
        assert "replicas" not in get(docs, "Deployment", name)["spec"], f"{name}: left to the HPA"

    def targets(hpa):
        found = {}
        for metric in hpa["spec"]["metrics"]:
            assert metric["type"] == "Resource" and metric["resource"]["target"]["type"] == "Utilization"
            found[metric["resource"]["name"]] = metric["resource"]["target"]["averageUtilization"]
        return found

    web = hpas["ringlet-web"]["spec"]
    # Issue 26, the case study: CPU and memory; up 100% in 30 s, down 50% in 60 s after a
    # 5-minute stabilisation.
    assert (web["minReplicas"], web["maxReplicas"]) == (3, 10)
    assert targets(hpas["ringlet-web"]) == {"cpu": 70, "memory": 85}
    assert web["behavior"]["scaleUp"] == {
        "stabilizationWindowSeconds": 0,
        "selectPolicy": "Max",
        "policies": [{"type": "Percent", "value": 100, "periodSeconds": 30}],
    }
    assert web["behavior"]["scaleDown"] == {
        "stabilizationWindowSeconds": 300,
        "selectPolicy": "Max",
        "policies": [{"type": "Percent", "value": 50, "periodSeconds": 60}],
    }
    assert targets(hpas["ringlet-worker"]) == {"cpu": 75}
    # The edge: never fewer than two, so a rollout or a drain always leaves one serving.
    assert targets(hpas["ringlet-edge"]) == {"cpu": 70} and hpas["ringlet-edge"]["spec"]["minReplicas"] == 2
    assert "replicas" not in get(docs, "Deployment", "ringlet-media-worker")["spec"], "left to KEDA"


@pytest.mark.parametrize("overlay", ["staging", "prod"])
def test_keda_scales_the_media_worker_on_the_length_of_the_media_queue(overlay):
    docs = render(overlay)
    (scaled,) = of_kind(docs, "ScaledObject")
    spec = scaled["spec"]
    assert spec["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "ringlet-media-worker",
    }
    assert spec["minReplicaCount"] in (0, 1) and spec["maxReplicaCount"] == 6
    (trigger,) = spec["triggers"]
    assert trigger["type"] == "redis"
    # The queue Celery routes encodes to, in the broker's Redis database.
    config = generated(docs, "ConfigMap", "ringlet-config")["data"]
    assert trigger["metadata"]["listName"] == "media"
    media = pod_spec(get(docs, "Deployment", "ringlet-media-worker"))["containers"][0]
    assert "--queues=media" in media["command"] and "--concurrency=1" in media["command"]
    assert trigger["metadata"]["listLength"] == "1"  # one waiting encode per pod
    broker_db = urlsplit(SMOKE_SECRETS[overlay]["CELERY_BROKER_URL"]).path.strip("/")
    assert trigger["metadata"]["databaseIndex"] == broker_db
    assert (trigger["metadata"].get("enableTLS") == "true") == SMOKE_SECRETS[overlay][
        "CELERY_BROKER_URL"
    ].startswith("rediss://")
    (auth,) = of_kind(docs, "TriggerAuthentication")
    assert trigger["authenticationRef"] == {"name": auth["metadata"]["name"]}
    assert {ref["name"] for ref in auth["spec"]["secretTargetRef"]} == {"ringlet-secrets"}
    assert "DJANGO_SETTINGS_MODULE" in config


def test_dev_runs_one_pod_per_process_without_autoscalers():
    docs = render("dev")
    assert of_kind(docs, "HorizontalPodAutoscaler") == []
    for deployment in of_kind(docs, "Deployment"):
        assert deployment["spec"]["replicas"] == 1


@overlays
def test_web_and_workers_have_disruption_budgets(overlay):
    docs = render(overlay)
    for name in (*AUTOSCALED, "ringlet-edge"):
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
            # A CPU ceiling everywhere (checkov CKV_K8S_11), at least twice the request, so
            # that only a runaway process is ever throttled.
            assert quantity(resources["limits"]["cpu"]) >= 2 * quantity(resources["requests"]["cpu"])


@overlays
def test_the_service_account_mounts_no_token(overlay):
    docs = render(overlay)
    account = get(docs, "ServiceAccount", "ringlet")
    assert account["automountServiceAccountToken"] is False
    for workload in app_workloads(docs):
        assert pod_spec(workload)["serviceAccountName"] == "ringlet"


@overlays
def test_long_running_containers_have_the_probes_that_mean_something(overlay):
    """Readiness only where a Service sends traffic; liveness never needs the database."""
    docs = render(overlay)
    services = of_kind(docs, "Service")
    for workload in long_running(docs):
        behind_a_service = any(
            selects({"matchLabels": s["spec"]["selector"]}, pod_labels(workload)) for s in services
        )
        for container in pod_spec(workload)["containers"]:
            name = workload["metadata"]["name"]
            assert "startupProbe" in container and "livenessProbe" in container, name
            assert ("readinessProbe" in container) == behind_a_service, name
        for init in pod_spec(workload).get("initContainers", []):
            assert not {"startupProbe", "livenessProbe", "readinessProbe"} & set(init)
    web = pod_spec(get(docs, "Deployment", "ringlet-web"))["containers"][0]
    assert web["livenessProbe"]["httpGet"] == {"path": "/health/", "port": "http"}
    assert web["startupProbe"]["httpGet"] == {"path": "/health/", "port": "http"}
    assert web["readinessProbe"]["httpGet"] == {"path": "/ready/", "port": "http"}
    assert {"name": "http", "containerPort": 8000} in web["ports"]
    for name in ("ringlet-worker", "ringlet-media-worker"):
        container = pod_spec(get(docs, "Deployment", name))["containers"][0]
        # A file the worker's own loop touches: no broker, no database, no Django start-up.
        assert container["livenessProbe"]["exec"]["command"] == ["python", "portal/probes.py", "worker-alive"]
        assert container["startupProbe"]["exec"]["command"] == ["python", "portal/probes.py", "worker-ready"]
    beat = pod_spec(get(docs, "Deployment", "ringlet-beat"))["containers"][0]
    # A heartbeat beat's own scheduler writes (portal/beat_scheduler.py), not a process check.
    assert beat["livenessProbe"]["exec"]["command"] == ["python", "portal/probes.py", "beat-alive"]
    assert beat["startupProbe"]["exec"]["command"] == ["python", "portal/probes.py", "beat-alive"]


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
    # The ingress controller, and Prometheus where the monitoring component scrapes /metrics.
    from_outside = {p["metadata"]["name"]: p for p in policies_for(docs, web, "Ingress")}
    assert set(from_outside) - {"ringlet-web-from-prometheus"} == {
        "ringlet-web-from-ingress-controller",
        "ringlet-web-from-edge",
    }
    (from_edge,) = from_outside["ringlet-web-from-edge"]["spec"]["ingress"]
    assert from_edge["ports"] == [{"protocol": "TCP", "port": 8000}]
    edge = pod_labels(get(docs, "Deployment", "ringlet-edge"))
    assert [source["podSelector"]["matchLabels"] for source in from_edge["from"]] == [edge]
    # The edge: HTTP from the ingress controller, purges from Ringlet's pods; out to web and DNS.
    (edge_policy,) = policies_for(docs, edge, "Ingress")
    http, purge = edge_policy["spec"]["ingress"]
    assert http["ports"] == [{"protocol": "TCP", "port": 8080}]
    assert http["from"][0]["namespaceSelector"]["matchLabels"] == {
        "kubernetes.io/metadata.name": "ingress-nginx"
    }
    assert purge["ports"] == [{"protocol": "TCP", "port": 8081}]
    assert purge["from"] == [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "ringlet"}}}]
    assert egress_allows(docs, edge, 8000) and not egress_allows(docs, edge, 5432)
    assert egress_allows(docs, web, 8081) and egress_allows(
        docs, pod_labels(get(docs, "Deployment", "ringlet-worker")), 8081
    )
    if "ringlet-web-from-prometheus" in from_outside:
        (scrape,) = from_outside["ringlet-web-from-prometheus"]["spec"]["ingress"]
        assert scrape["ports"] == [{"protocol": "TCP", "port": 8000}]
        assert scrape["from"][0]["namespaceSelector"]["matchLabels"] == {
            "kubernetes.io/metadata.name": "monitoring"
        }
    (rule,) = from_outside["ringlet-web-from-ingress-controller"]["spec"]["ingress"]
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
        for port in redis_ports(docs, overlay):
            assert egress_allows(docs, labels, port), f"{name} reaches Redis on {port}"


def redis_ports(docs, overlay):
    """The Redis ports the app is told to use: the in-cluster Service's, or the Secret's URLs."""
    ports = {6379}  # redis:// without a port
    ports |= {
        p["port"]
        for s in of_kind(docs, "Service")
        if s["metadata"]["name"] == "redis"
        for p in s["spec"]["ports"]
    }
    secrets = SMOKE_SECRETS[overlay] or container_env(
        docs,
        {
            "envFrom": [
                {"secretRef": {"name": generated(docs, "Secret", "ringlet-secrets")["metadata"]["name"]}}
            ]
        },
    )
    ports |= {urlsplit(secrets[key]).port or 6379 for key in ("REDIS_URL", "CELERY_BROKER_URL")}
    return ports


def test_the_network_policy_opens_the_redis_port_the_deployment_guide_documents():
    """kustomize/README.md's Secret example uses a managed Redis over TLS on 6380."""
    readme = (KUSTOMIZE_DIR / "README.md").read_text()
    documented = {int(port) for port in re.findall(r"rediss?://[^ ']*:(\d+)/", readme)}
    assert 6380 in documented
    for overlay in OVERLAYS:
        docs = render(overlay)
        web = pod_labels(get(docs, "Deployment", "ringlet-web"))
        for port in documented | redis_ports(docs, overlay):
            assert egress_allows(docs, web, port), (overlay, port)


@pytest.mark.parametrize("overlay", ["dev", "staging"])
def test_in_cluster_data_services_accept_only_ringlet_pods(overlay):
    docs = render(overlay)
    for name, port in (("postgres", 5432), ("redis", 6379)):
        labels = pod_labels(get(docs, "StatefulSet", name))
        service_ports = [p["port"] for p in get(docs, "Service", name)["spec"]["ports"]]
        assert service_ports == [port]
        policies = policies_for(docs, labels, "Ingress")
        sources = []
        for policy in policies:
            (rule,) = policy["spec"]["ingress"]
            assert rule["ports"] == [{"protocol": "TCP", "port": port}]
            sources += rule["from"]
        ringlet = {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "ringlet"}}}
        # Staging's Redis also answers KEDA's operator, which reads the media queue's length.
        keda = {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "keda"}},
            "podSelector": {"matchLabels": {"app": "keda-operator"}},
        }
        expected = [ringlet, keda] if name == "redis" and of_kind(docs, "ScaledObject") else [ringlet]
        assert sorted(sources, key=str) == sorted(expected, key=str), name


@pytest.mark.parametrize("overlay", ["dev", "staging"])
def test_in_cluster_redis_has_maxmemory_below_its_limit_and_never_evicts_tasks(overlay):
    (container,) = pod_spec(get(render(overlay), "StatefulSet", "redis"))["containers"]
    cmd = container["command"]
    assert cmd[cmd.index("--maxmemory-policy") + 1] == "noeviction"
    maxmemory = cmd[cmd.index("--maxmemory") + 1]
    number, unit = re.fullmatch(r"(\d+)(mb|gb)", maxmemory).groups()
    maxmemory_bytes = int(number) * {"mb": 2**20, "gb": 2**30}[unit]
    # Room for client buffers and the copy-on-write of an AOF rewrite below the OOM kill.
    assert maxmemory_bytes <= 0.75 * quantity(container["resources"]["limits"]["memory"])


@overlays
def test_ingress_terminates_tls_through_cert_manager_and_accepts_large_uploads(overlay):
    docs = render(overlay)
    ingress = get(docs, "Ingress", "ringlet")
    assert ingress["apiVersion"] == "networking.k8s.io/v1"
    annotations = ingress["metadata"]["annotations"]
    assert annotations["cert-manager.io/cluster-issuer"]
    # The ingress refuses exactly what the app would refuse, before receiving it.
    limit_mb = generated(docs, "ConfigMap", "ringlet-config")["data"]["MEDIA_MAX_UPLOAD_MB"]
    assert annotations["nginx.ingress.kubernetes.io/proxy-body-size"] == f"{limit_mb}m"
    assert int(limit_mb) >= 1024
    host = ingress["spec"]["rules"][0]["host"]
    assert ingress["spec"]["tls"] == [{"hosts": [host], "secretName": "ringlet-tls"}]
    # The site goes to the edge tier, which passes what it does not answer to web's Service.
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    service = get(docs, "Service", backend["name"])
    edge = get(docs, "Deployment", "ringlet-edge")
    assert selects({"matchLabels": service["spec"]["selector"]}, pod_labels(edge))
    (edge_container,) = pod_spec(edge)["containers"]
    upstream = {e["name"]: e.get("value") for e in edge_container["env"]}["EDGE_UPSTREAM"]
    web_service = get(docs, "Service", upstream.split(":")[0])
    assert selects(
        {"matchLabels": web_service["spec"]["selector"]}, pod_labels(get(docs, "Deployment", "ringlet-web"))
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
    assert web == {
        "requests": {"cpu": "500m", "memory": "512Mi", "ephemeral-storage": "25Gi"},
        "limits": {"cpu": "2", "memory": "1Gi", "ephemeral-storage": "25Gi"},
    }
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
        if kind == "ScaledObject":
            # Prod's managed Redis speaks TLS.
            doc["spec"]["triggers"][0]["metadata"].pop("enableTLS", None)
        if kind in ("Deployment", "Job", "CronJob"):
            spec = pod_spec(doc)
            spec.pop("topologySpreadConstraints", None)
            if name == "ringlet-web":
                spec["volumes"][0]["emptyDir"].pop("sizeLimit")
            for container in spec.get("initContainers", []) + spec["containers"]:
                container["image"] = "IMAGE"
                # Staging pulls its mutable tag every time; prod's digest never changes.
                container.pop("imagePullPolicy")
                if "envFrom" in container:
                    container["envFrom"][0]["configMapRef"]["name"] = "ringlet-config"
                if name == "ringlet-web" and container["name"] == "app":
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
    # Prod's monitoring component (staging adds it once its Prometheus runs the operator).
    monitoring = {
        ("ServiceMonitor", "ringlet-web"),
        ("PrometheusRule", "ringlet"),
        ("ConfigMap", "ringlet-grafana"),
        ("NetworkPolicy", "ringlet-web-from-prometheus"),
        # And PgBouncer in front of its managed PostgreSQL.
        ("Deployment", "ringlet-pgbouncer"),
        ("Service", "ringlet-pgbouncer"),
        ("PodDisruptionBudget", "ringlet-pgbouncer"),
        ("NetworkPolicy", "pgbouncer-from-ringlet"),
    }
    assert monitoring <= set(prod)
    assert set(staging) - component == set(prod) - monitoring
    for key in set(prod) - monitoring:
        assert staging[key] == prod[key], key


def test_the_release_is_one_plain_apply():
    """kustomize/README.md releases with one `kubectl apply -k`: the init containers order it."""
    readme = (KUSTOMIZE_DIR / "README.md").read_text()
    releasing = readme.split("## Releasing", 1)[1].split("\n## ", 1)[0]
    applies = re.findall(r"^kubectl apply -k .*$", releasing, flags=re.MULTILINE)
    assert applies == ["kubectl apply -k $DIR"]
    assert "-l 'app.kubernetes.io/component" not in readme


# --- Issue 15: the defects a review found -------------------------------------------------------------
def upload_slots(docs):
    web = pod_spec(get(docs, "Deployment", "ringlet-web"))["containers"][0]
    settings = gunicorn_settings(container_env(docs, web, secrets=STAGING_SECRETS))
    return settings["workers"] * settings["threads"]


@overlays
def test_web_reserves_ephemeral_storage_for_an_upload_in_every_request_slot(overlay):
    docs = render(overlay)
    spec = pod_spec(get(docs, "Deployment", "ringlet-web"))
    (app,) = spec["containers"]
    limit_mb = int(generated(docs, "ConfigMap", "ringlet-config")["data"]["MEDIA_MAX_UPLOAD_MB"])
    spool = upload_slots(docs) * limit_mb * 2**20
    tmp = {v["name"]: v for v in spec["volumes"]}[
        {m["mountPath"]: m["name"] for m in app["volumeMounts"]}["/tmp"]
    ]
    size_limit = quantity(tmp["emptyDir"]["sizeLimit"])
    requests, limits = app["resources"]["requests"], app["resources"]["limits"]
    # Requested (so neither the scheduler nor node pressure takes it away), with room left.
    assert (
        spool < size_limit <= quantity(requests["ephemeral-storage"]) <= quantity(limits["ephemeral-storage"])
    )
    assert quantity(requests["ephemeral-storage"]) - spool >= 2**30


def test_staging_pulls_its_mutable_tag_every_time_and_prod_pins_a_digest():
    staging = render("staging")
    for workload in app_workloads(staging):
        for container in containers(workload):
            assert container["image"].endswith(":main")
            assert container["imagePullPolicy"] == "Always", workload["metadata"]["name"]
    for workload in app_workloads(render("prod")):
        for container in containers(workload):
            assert "@sha256:" in container["image"]


def test_dev_generates_its_secret_so_a_change_renames_it_and_rolls_the_pods():
    docs = render("dev")
    name = generated(docs, "Secret", "ringlet-secrets")["metadata"]["name"]
    assert name != "ringlet-secrets"
    for workload in app_workloads(docs):
        for container in containers(workload):
            assert {"secretRef": {"name": name}} in container["envFrom"]


@pytest.mark.parametrize("overlay", ["staging", "prod"])
def test_a_daily_backup_cronjob_never_overlaps_and_keeps_a_short_history(overlay):
    docs = render(overlay)
    cron = get(docs, "CronJob", "ringlet-backup")
    spec = cron["spec"]
    assert spec["concurrencyPolicy"] == "Forbid"
    assert re.fullmatch(r"\d+ \d+ \* \* \*", spec["schedule"])  # once a day
    assert 1 <= spec["successfulJobsHistoryLimit"] <= 5 and 1 <= spec["failedJobsHistoryLimit"] <= 5
    assert command(cron) == ["python", "manage.py", "backup_db"]
    assert pod_spec(cron)["restartPolicy"] == "Never"
    # The same pod security as the Deployments (also checked for every workload above).
    web = pod_spec(get(docs, "Deployment", "ringlet-web"))
    assert pod_spec(cron)["securityContext"] == web["securityContext"]
    assert pod_spec(cron)["containers"][0]["securityContext"] == web["containers"][0]["securityContext"]
    resources = pod_spec(cron)["containers"][0]["resources"]
    assert resources["requests"]["ephemeral-storage"] == resources["limits"]["ephemeral-storage"]
    # It reaches PostgreSQL and the object store like every Ringlet pod.
    assert egress_allows(docs, pod_labels(cron), 5432) and egress_allows(docs, pod_labels(cron), 443)


def test_dev_has_no_backup_cronjob():
    assert of_kind(render("dev"), "CronJob") == []


@overlays
def test_uploads_stream_to_web_without_the_ingress_buffering_them(overlay):
    """Issue 26: a 2 GiB lecture is not written to the ingress controller's disk first."""
    from django.urls import reverse

    docs = render(overlay)
    main, uploads = get(docs, "Ingress", "ringlet"), get(docs, "Ingress", "ringlet-uploads")
    annotations = uploads["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/proxy-request-buffering"] == "off"
    limit_mb = generated(docs, "ConfigMap", "ringlet-config")["data"]["MEDIA_MAX_UPLOAD_MB"]
    assert annotations["nginx.ingress.kubernetes.io/proxy-body-size"] == f"{limit_mb}m"
    # The same host and certificate; only `ringlet` asks cert-manager for it.
    assert uploads["spec"]["tls"] == main["spec"]["tls"]
    assert uploads["spec"]["rules"][0]["host"] == main["spec"]["rules"][0]["host"]
    assert "cert-manager.io/cluster-issuer" not in annotations
    assert "nginx.ingress.kubernetes.io/proxy-request-buffering" not in main["metadata"]["annotations"]
    paths = uploads["spec"]["rules"][0]["http"]["paths"]
    assert {p["backend"]["service"]["name"] for p in paths} == {"ringlet-web"}
    prefixes = [p["path"] for p in paths if p["pathType"] == "Prefix"]
    # Every admin view that receives a media file or a document is under those paths.
    for url in (
        reverse("wagtailmedia:add", args=("video",)),
        reverse("wagtailmedia:edit", args=(1,)),
        reverse("wagtailmedia:chooser_upload", args=("video",)),
        reverse("wagtaildocs:add_multiple"),
        reverse("wagtaildocs:edit", args=(1,)),
    ):
        assert any(url.startswith(prefix) for prefix in prefixes), url
    # Nothing else: the rest of the site keeps nginx's buffering (slow clients cost nginx, not gunicorn).
    assert not any(reverse("courses:dashboard").startswith(prefix) for prefix in prefixes)
