"""Render the Kustomize overlays with kubectl and look things up in the result."""

import base64
import functools
import shutil
import subprocess

import yaml

from tests.processes import BASE_DIR

KUSTOMIZE_DIR = BASE_DIR / "kustomize"
OVERLAYS = ("dev", "staging", "prod", "prod-cnpg")
KUBECTL = shutil.which("kubectl") or "/usr/bin/kubectl"
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "Job", "CronJob")
APP_DEPLOYMENTS = ("ringlet-web", "ringlet-worker", "ringlet-media-worker", "ringlet-beat")
AUTOSCALED = ("ringlet-web", "ringlet-worker", "ringlet-media-worker")


@functools.cache
def render(overlay):
    """The overlay's rendered documents (``kubectl kustomize``), as a tuple of dicts."""
    result = subprocess.run(
        [KUBECTL, "kustomize", str(KUSTOMIZE_DIR / "overlays" / overlay)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if result.returncode != 0:
        raise AssertionError(f"kubectl kustomize {overlay} failed:\n{result.stderr}")
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


def of_kind(docs, kind):
    return [doc for doc in docs if doc["kind"] == kind]


def get(docs, kind, name):
    matches = [doc for doc in docs if doc["kind"] == kind and doc["metadata"]["name"] == name]
    assert len(matches) == 1, f"expected one {kind} {name}, found {len(matches)}"
    return matches[0]


def generated(docs, kind, name):
    """A generated ConfigMap or Secret, whose name kustomize suffixes with a hash."""
    matches = [
        doc for doc in docs if doc["kind"] == kind and doc["metadata"]["name"].rsplit("-", 1)[0] == name
    ]
    assert len(matches) == 1, f"expected one generated {kind} {name}, found {len(matches)}"
    return matches[0]


def workloads(docs):
    return [doc for doc in docs if doc["kind"] in WORKLOAD_KINDS]


def pod_template(workload):
    """The pod template of a Deployment, StatefulSet, Job or CronJob."""
    if workload["kind"] == "CronJob":
        return workload["spec"]["jobTemplate"]["spec"]["template"]
    return workload["spec"]["template"]


def pod_spec(workload):
    return pod_template(workload)["spec"]


def pod_labels(workload):
    return pod_template(workload)["metadata"]["labels"]


def containers(workload):
    spec = pod_spec(workload)
    return spec.get("initContainers", []) + spec["containers"]


def secret_data(secret):
    return {key: base64.b64decode(value).decode() for key, value in secret.get("data", {}).items()}


def container_env(docs, container, secrets=None):
    """The environment a container starts with: envFrom ConfigMaps and Secrets, then env.

    Secrets not in the rendered output (staging and prod create theirs beforehand) come
    from ``secrets``.
    """
    env = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            env.update(get(docs, "ConfigMap", source["configMapRef"]["name"])["data"])
        else:
            name = source["secretRef"]["name"]
            rendered = [d for d in docs if d["kind"] == "Secret" and d["metadata"]["name"] == name]
            if rendered:
                env.update(secret_data(rendered[0]))
            else:
                assert secrets is not None, f"secret {name} is not rendered and none was given"
                env.update(secrets)
    for item in container.get("env", []):
        assert "value" in item, f"{item['name']}: only literal env values are expected on app containers"
        env[item["name"]] = item["value"]
    return env


def selects(selector, labels):
    """Does a label selector (matchLabels only, as used here) select these labels?"""
    assert set(selector) <= {"matchLabels"}, f"unexpected selector form {selector}"
    return all(labels.get(key) == value for key, value in selector.get("matchLabels", {}).items())
