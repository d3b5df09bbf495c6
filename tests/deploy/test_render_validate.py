"""Every overlay renders with kubectl and validates against the Kubernetes 1.30 and 1.32 schemas."""

import copy
import functools
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml
from kubernetes_validate.utils import SchemaNotFoundError

from portal import metrics
from tests.deploy.manifests import KUBECTL, KUSTOMIZE_DIR, OVERLAYS, render

KUBERNETES_VERSIONS = ("1.30", "1.32")
VALIDATE = Path(sys.executable).with_name("kubernetes-validate")
# CustomResourceDefinitions of the optional components' resources, vendored unchanged
# because tests never download anything: KEDA v2.20.2's ScaledObject and
# TriggerAuthentication (github.com/kedacore/keda, config/crd/bases/, Apache-2.0) and the
# Prometheus Operator v0.93.0's ServiceMonitor (prometheus-operator/prometheus-operator,
# example/prometheus-operator-crd/, Apache-2.0).
CRD_DIR = Path(__file__).with_name("crds")
# Schemas written here from the projects' documented APIs, in the same CRD form, where no
# registry package ships the CRDs (tests must not download them, and nothing fetched from a
# repository is committed): the Prometheus Operator's PrometheusRule and CloudNativePG's
# Cluster, Pooler and ScheduledBackup. Each file's header says what it covers.
SCHEMA_DIR = Path(__file__).with_name("schemas")


def strict(schema):
    """An OpenAPI v3 schema that, like the API server's strict field validation, rejects
    fields it does not declare (unless it preserves unknown fields)."""
    schema = copy.deepcopy(schema)
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key in ("properties", "patternProperties"):
                schema[key] = {name: strict(sub) for name, sub in value.items()}
            elif key in ("items", "additionalProperties", "not") and isinstance(value, dict):
                schema[key] = strict(value)
            elif key in ("anyOf", "allOf", "oneOf"):
                schema[key] = [strict(sub) for sub in value]
        if (
            "properties" in schema
            and "additionalProperties" not in schema
            and not schema.get("x-kubernetes-preserve-unknown-fields")
        ):
            schema["additionalProperties"] = False
    return schema


@functools.cache
def vendored_schemas():
    """``{(apiVersion, kind): strict schema}`` of every served version of the vendored CRDs."""
    schemas = {}
    for path in sorted(CRD_DIR.glob("*.yaml")) + sorted(SCHEMA_DIR.glob("*.yaml")):
        for crd in yaml.safe_load_all(path.read_text()):
            if not crd:
                continue
            spec = crd["spec"]
            for version in spec["versions"]:
                if version["served"]:
                    key = (f"{spec['group']}/{version['name']}", spec["names"]["kind"])
                    schemas[key] = strict(version["schema"]["openAPIV3Schema"])
    return schemas


def schema_errors(docs, version):
    """Strict schema errors; a kind without a schema (a removed API, or a custom resource
    whose CustomResourceDefinition is neither vendored nor among the documents) is an error too."""
    declared = {
        (crd["spec"]["group"], crd["spec"]["names"]["kind"])
        for crd in docs
        if crd["kind"] == "CustomResourceDefinition"
    }
    errors = []
    for doc in docs:
        name = f"{doc['kind']}/{doc['metadata']['name']}"
        custom = vendored_schemas().get((doc["apiVersion"], doc["kind"]))
        if custom is not None:
            validator = jsonschema.Draft7Validator(custom)
            errors += [
                f"{name}: {'.'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(doc)
            ]
            continue
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except SchemaNotFoundError:
            if (doc["apiVersion"].split("/")[0], doc["kind"]) not in declared:
                errors.append(f"{name}: no schema for {doc['apiVersion']} in Kubernetes {version}")
        except kubernetes_validate.ValidationError as error:
            errors.append(f"{name}: {'.'.join(map(str, error.path))}: {error.message}")
    return errors


def test_kubectl_is_1_32_with_kustomize_5():
    out = subprocess.run([KUBECTL, "version", "--client"], capture_output=True, text=True, check=True).stdout
    assert "Client Version: v1.32" in out
    assert "Kustomize Version: v5" in out


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_renders(overlay):
    docs = render(overlay)
    kinds = {doc["kind"] for doc in docs}
    assert {"Deployment", "Job", "Service", "ConfigMap", "Ingress", "HorizontalPodAutoscaler"} - kinds <= {
        "HorizontalPodAutoscaler"
    }
    assert all(doc["metadata"].get("namespace") for doc in docs if doc["kind"] != "Namespace")


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_validates_strictly(overlay, version):
    assert schema_errors(render(overlay), version) == []


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_kubernetes_validate_command_passes_every_overlay_with_no_warning(tmp_path, version):
    files = []
    for overlay in OVERLAYS:
        path = tmp_path / f"{overlay}.yaml"
        # The command knows Kubernetes' own kinds only; KEDA's are checked above.
        builtin = [d for d in render(overlay) if (d["apiVersion"], d["kind"]) not in vendored_schemas()]
        path.write_text(yaml.safe_dump_all(builtin))
        files.append(str(path))
    result = subprocess.run(
        [str(VALIDATE), "--strict", "--kubernetes-version", version, "--quiet", *files],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ""


def test_validation_rejects_removed_apis_unknown_kinds_and_fields_but_accepts_declared_crds():
    removed = {"apiVersion": "policy/v1beta1", "kind": "PodDisruptionBudget", "metadata": {"name": "a"}}
    unknown = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "b"}}
    typo = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "datta": {}}
    assert len(schema_errors([removed, unknown, typo], "1.32")) == 3

    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com",
            "names": {"kind": "Widget", "plural": "widgets"},
            "scope": "Namespaced",
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {"openAPIV3Schema": {"type": "object"}},
                }
            ],
        },
    }
    assert schema_errors([crd, unknown], "1.32") == []


def test_kustomizations_use_current_fields_only():
    deprecated = {"commonLabels", "patchesStrategicMerge", "patchesJson6902", "bases", "vars", "imageTags"}
    files = sorted(KUSTOMIZE_DIR.rglob("kustomization.yaml"))
    assert len(files) == 11
    for path in files:
        kustomization = yaml.safe_load(path.read_text())
        assert deprecated.isdisjoint(kustomization), path
        for entry in kustomization.get("labels", []):
            assert entry.get("includeSelectors") is False, path


def test_vendored_keda_schemas_reject_a_misspelt_field_and_a_missing_trigger():
    assert {("keda.sh/v1alpha1", "ScaledObject"), ("keda.sh/v1alpha1", "TriggerAuthentication")} <= set(
        vendored_schemas()
    )
    good = {
        "apiVersion": "keda.sh/v1alpha1",
        "kind": "ScaledObject",
        "metadata": {"name": "a"},
        "spec": {
            "scaleTargetRef": {"name": "ringlet-media-worker"},
            "triggers": [{"type": "redis", "metadata": {"listName": "media"}}],
        },
    }
    assert schema_errors([good], "1.32") == []
    typo = copy.deepcopy(good)
    typo["spec"]["minReplicas"] = 1  # an HPA's field, not KEDA's minReplicaCount
    missing = copy.deepcopy(good)
    del missing["spec"]["triggers"]
    number = copy.deepcopy(good)
    number["spec"]["triggers"][0]["metadata"]["listLength"] = 1  # trigger metadata are strings
    assert len(schema_errors([typo], "1.32")) == 1
    assert len(schema_errors([missing], "1.32")) == 1
    assert len(schema_errors([number], "1.32")) == 1


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("overlay", ["staging", "prod"])
def test_the_keda_component_renders_and_validates_strictly(overlay, version):
    docs = render(overlay)
    keda = [d for d in docs if d["apiVersion"].startswith("keda.sh/")]
    assert sorted(d["kind"] for d in keda) == ["ScaledObject", "TriggerAuthentication"]
    assert schema_errors(keda, version) == []


def render_with_component(tmp_path, overlay, component):
    """``overlay`` rendered with one more component, as an operator would add it."""
    tree = tmp_path / "kustomize"
    shutil.copytree(KUSTOMIZE_DIR, tree)
    path = tree / "overlays" / overlay / "kustomization.yaml"
    kustomization = yaml.safe_load(path.read_text())
    kustomization.setdefault("components", []).append(f"../../components/{component}")
    path.write_text(yaml.safe_dump(kustomization))
    result = subprocess.run(
        [KUBECTL, "kustomize", str(path.parent)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_prods_monitoring_scrapes_web_metrics_with_the_token_and_validates_strictly(version):
    docs = render("prod")
    monitoring = [d for d in docs if d["apiVersion"].startswith("monitoring.coreos.com/")]
    assert sorted(d["kind"] for d in monitoring) == ["PrometheusRule", "ServiceMonitor"]
    assert schema_errors(monitoring, version) == []
    (monitor,) = [d for d in docs if d["kind"] == "ServiceMonitor"]
    assert monitor["metadata"]["namespace"] == "ringlet"
    (service,) = [d for d in docs if d["kind"] == "Service" and d["metadata"]["name"] == "ringlet-web"]
    assert monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
    (endpoint,) = monitor["spec"]["endpoints"]
    assert endpoint["port"] in {port["name"] for port in service["spec"]["ports"]}
    assert endpoint["path"] == metrics.PATH
    assert endpoint["authorization"]["credentials"] == {"name": "ringlet-secrets", "key": "METRICS_TOKEN"}
    (policy,) = [d for d in docs if d["metadata"]["name"] == "ringlet-web-from-prometheus"]
    (rule,) = policy["spec"]["ingress"]
    assert rule["ports"] == [{"protocol": "TCP", "port": 8000}]


@pytest.mark.parametrize("overlay", ["dev", "staging"])
def test_the_monitoring_component_adds_to_any_overlay(tmp_path, overlay):
    docs = render_with_component(tmp_path, overlay, "monitoring")
    assert schema_errors(docs, "1.32") == []
    assert {"ServiceMonitor", "PrometheusRule"} <= {d["kind"] for d in docs}


def test_the_prometheusrule_schema_rejects_a_misspelt_field_and_a_rule_without_expr():
    good = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {"name": "r"},
        "spec": {"groups": [{"name": "g", "rules": [{"alert": "A", "expr": "up == 0", "for": "5m"}]}]},
    }
    assert schema_errors([good], "1.32") == []
    typo = copy.deepcopy(good)
    typo["spec"]["groups"][0]["rules"][0]["annotation"] = {"summary": "x"}
    missing = copy.deepcopy(good)
    del missing["spec"]["groups"][0]["rules"][0]["expr"]
    duration = copy.deepcopy(good)
    duration["spec"]["groups"][0]["rules"][0]["for"] = "5 minutes"
    for broken in (typo, missing, duration):
        assert len(schema_errors([broken], "1.32")) == 1, broken
