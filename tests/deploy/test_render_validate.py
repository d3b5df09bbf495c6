"""Every overlay renders with kubectl and validates against the Kubernetes 1.30 and 1.32 schemas."""

import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from kubernetes_validate.utils import SchemaNotFoundError

from tests.deploy.manifests import KUBECTL, KUSTOMIZE_DIR, OVERLAYS, render

KUBERNETES_VERSIONS = ("1.30", "1.32")
VALIDATE = Path(sys.executable).with_name("kubernetes-validate")


def schema_errors(docs, version):
    """Strict schema errors; a kind without a schema (a removed API, or a custom resource
    whose CustomResourceDefinition is not among the documents) is an error too."""
    declared = {
        (crd["spec"]["group"], crd["spec"]["names"]["kind"])
        for crd in docs
        if crd["kind"] == "CustomResourceDefinition"
    }
    errors = []
    for doc in docs:
        name = f"{doc['kind']}/{doc['metadata']['name']}"
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
        path.write_text(yaml.safe_dump_all(render(overlay)))
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
    assert len(files) == 5
    for path in files:
        kustomization = yaml.safe_load(path.read_text())
        assert deprecated.isdisjoint(kustomization), path
        for entry in kustomization.get("labels", []):
            assert entry.get("includeSelectors") is False, path
