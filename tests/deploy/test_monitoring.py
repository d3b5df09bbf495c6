"""The monitoring component (kustomize/components/monitoring): alert rules checked and
unit-tested with promtool, a runbook for every alert, and every metric the rules and the
dashboard query exposed by a live /metrics (or by kube-state-metrics and the kubelet)."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from django.db import DatabaseError, connections
from prometheus_client.parser import text_string_to_metric_families

from portal import metrics, task_metrics
from tests.deploy.manifests import KUSTOMIZE_DIR, generated, get, render
from tests.processes import free_port

PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"
UNIT_TESTS = Path(__file__).with_name("promtool") / "ringlet_rules_test.yaml"
POD_IP = "10.244.1.7:8000"
# Series the rules and the dashboard take from kube-prometheus-stack's other exporters:
# kube-state-metrics (Deployments' ready pods) and the kubelet (volume usage).
EXTERNAL = {
    "kube_deployment_status_replicas_available": "kube-state-metrics",
    "kube_deployment_status_replicas_unavailable": "kube-state-metrics",
    "kubelet_volume_stats_available_bytes": "kubelet",
    "kubelet_volume_stats_capacity_bytes": "kubelet",
    # CloudNativePG's exporter on its instances (components/cloudnative-pg/monitoring.yaml).
    "cnpg_collector_up": "CloudNativePG",
    "cnpg_pg_replication_lag": "CloudNativePG",
    "cnpg_pg_stat_archiver_seconds_since_last_archival": "CloudNativePG",
    "cnpg_pg_stat_archiver_failed_count": "CloudNativePG",
}
KEYWORDS = {"and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "inf", "nan"}
KEYWORDS |= {"group_left", "group_right"}


def rules_spec(overlay="prod"):
    return get(render(overlay), "PrometheusRule", "ringlet")["spec"]


def alerts(spec):
    return [rule for group in spec["groups"] for rule in group["rules"] if "alert" in rule]


def dashboard(overlay="prod"):
    config_map = get(render(overlay), "ConfigMap", "ringlet-grafana-dashboard")
    return json.loads(config_map["data"]["ringlet.json"])


def dashboard_queries(board):
    """The panels' PromQL, and the metric of each ``label_values(metric, label)`` variable."""
    variables = [v["definition"] for v in board["templating"]["list"] if v["type"] == "query"]
    return [target["expr"] for panel in board["panels"] for target in panel["targets"]] + [
        re.fullmatch(r"label_values\((.+), *\w+\)", query).group(1) for query in variables
    ]


def metric_names(expr):
    """The metric names a PromQL expression selects (no functions, labels or keywords)."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # strings (label values, $variables)
    expr = re.sub(r"\{[^}]*\}", " ", expr)  # label matchers
    expr = re.sub(r"\[[^\]]*\]", " ", expr)  # ranges and subqueries
    expr = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", expr)
    names = set()
    for match in re.finditer(r"(?<![\w:.$])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?", expr):
        name, call = match.groups()
        if not call and name.lower() not in KEYWORDS:
            names.add(name)
    return names


def run_promtool(*args, cwd):
    result = subprocess.run([PROMTOOL, *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    return result.returncode, result.stdout + result.stderr


@pytest.fixture
def rules_dir(tmp_path):
    """The rendered rule groups as a Prometheus rule file, beside the unit tests."""
    (tmp_path / "ringlet-rules.yaml").write_text(yaml.safe_dump(rules_spec()))
    shutil.copy(UNIT_TESTS, tmp_path)
    return tmp_path


def test_promtool_accepts_the_rendered_rules(rules_dir):
    code, out = run_promtool("check", "rules", "ringlet-rules.yaml", cwd=rules_dir)
    assert code == 0, out
    assert f"SUCCESS: {sum(len(g['rules']) for g in rules_spec()['groups'])} rules found" in out


def test_promtool_unit_tests_of_the_5xx_queue_age_backup_age_postgres_and_certificate_alerts_pass(
    rules_dir,
):
    tested = set(re.findall(r"alertname: (\w+)", UNIT_TESTS.read_text()))
    assert {"RingletHigh5xxRatio", "RingletCeleryQueueStale", "RingletBackupTooOld"} <= tested
    code, out = run_promtool("test", "rules", UNIT_TESTS.name, cwd=rules_dir)
    assert code == 0, out


def test_the_unit_tests_fail_when_a_threshold_changes(rules_dir):
    """The tests pin the rules down: a 5xx threshold of 5% instead of 1% fails them."""
    rules = rules_dir / "ringlet-rules.yaml"
    text = rules.read_text()
    assert "ringlet:http_5xx_ratio:rate5m > 0.01" in text
    rules.write_text(
        text.replace("ringlet:http_5xx_ratio:rate5m > 0.01", "ringlet:http_5xx_ratio:rate5m > 0.05")
    )
    code, out = run_promtool("test", "rules", UNIT_TESTS.name, cwd=rules_dir)
    assert code != 0 and "RingletHigh5xxRatio" in out


def all_rules(overlay):
    return [d for d in render(overlay) if d["kind"] == "PrometheusRule"]


def test_cloudnative_pgs_rules_pass_promtool_and_query_its_exporter_only(tmp_path):
    (rules,) = [r for r in all_rules("prod-cnpg") if r["metadata"]["name"] == "ringlet-db"]
    (tmp_path / "ringlet-db-rules.yaml").write_text(yaml.safe_dump(rules["spec"]))
    code, out = run_promtool("check", "rules", "ringlet-db-rules.yaml", cwd=tmp_path)
    assert code == 0, out
    queried = {name for rule in alerts(rules["spec"]) for name in metric_names(rule["expr"])}
    assert queried and {EXTERNAL[name] for name in queried} == {"CloudNativePG"}


def test_every_alert_has_a_runbook_section_its_url_points_at():
    readme = (KUSTOMIZE_DIR / "README.md").read_text()
    runbooks = readme.split("## Alerts and runbooks", 1)[1].split("\n## ", 1)[0]
    headings = set(re.findall(r"^### (\w+)$", runbooks, flags=re.MULTILINE))
    every = [rule for doc in all_rules("prod-cnpg") for rule in alerts(doc["spec"])]
    assert len(every) > len(alerts(rules_spec()))
    for rule in every:
        name = rule["alert"]
        assert name in headings, f"no runbook for {name}"
        assert rule["annotations"]["runbook_url"].endswith(f"kustomize/README.md#{name.lower()}")
        assert rule["labels"]["severity"] in ("critical", "warning")
        section = runbooks.split(f"### {name}\n", 1)[1].split("\n### ", 1)[0]
        assert len(section.split()) > 40, f"{name}'s runbook is too short to act on"


def test_prod_turns_monitoring_on_and_the_dashboard_is_for_grafanas_sidecar():
    docs = render("prod")
    get(docs, "ServiceMonitor", "ringlet-web")
    config_map = get(docs, "ConfigMap", "ringlet-grafana-dashboard")
    assert config_map["metadata"]["labels"]["grafana_dashboard"] == "1"
    board = json.loads(config_map["data"]["ringlet.json"])
    assert board["uid"] == "ringlet-overview" and len(board["panels"]) >= 10
    # Each panel has a place of its own and a query against the chosen data source.
    assert len({(p["gridPos"]["x"], p["gridPos"]["y"]) for p in board["panels"]}) == len(board["panels"])
    assert all(p["targets"] and p["datasource"]["uid"] == "${datasource}" for p in board["panels"])
    # The hash-suffixed app ConfigMap still rolls the pods; the dashboard's keeps its name.
    assert generated(docs, "ConfigMap", "ringlet-config")["metadata"]["name"] != "ringlet-config"


def test_metric_names_are_read_from_promql():
    expr = (
        'histogram_quantile(0.99, sum by (namespace, le) (rate(foo_bucket{job="x", view=~"a|b"}[5m])))'
        " / on (namespace) group_left max without (pod) (bar_total offset 5m) > bool 2 unless baz"
    )
    assert metric_names(expr) == {"foo_bucket", "bar_total", "baz"}
    assert metric_names('time() - max(ringlet_x{a="$namespace"}) > 26 * 3600') == {"ringlet_x"}
    assert metric_names("ringlet:http_5xx_ratio:rate5m > 0.01") == {"ringlet:http_5xx_ratio:rate5m"}


def live_sample_names(client, settings):
    """Sample names a live /metrics exposes once each kind of event has happened once."""
    client.get("/accounts/login/")
    client.get("/no-such-page-here/")
    task_metrics.record(task_metrics.ENCODE_TASK, "SUCCESS", 12.0)
    task_metrics.record("portal.tasks.clear_expired_sessions", "FAILURE", 0.2)
    # A failed query, on a connection of its own, and a cache read Redis does not answer.
    fresh = connections.create_connection("default")
    try:
        with pytest.raises(DatabaseError), fresh.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table_here")
    finally:
        fresh.close()
    # A cache on a Redis that is not there; the same key prefix, where the task metrics are kept.
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache.FailOpenRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1},
            "KEY_PREFIX": settings.CACHES["default"].get("KEY_PREFIX", ""),
        }
    }
    from django.core.cache import cache

    cache.get("anything")
    response = client.get(metrics.PATH, HTTP_HOST=POD_IP)
    assert response.status_code == 200
    return {s.name for f in text_string_to_metric_families(response.content.decode()) for s in f.samples}


@pytest.mark.django_db
def test_every_metric_the_rules_and_the_dashboard_query_is_exposed(client, settings):
    spec = rules_spec()
    recorded = {rule["record"] for group in spec["groups"] for rule in group["rules"] if "record" in rule}
    queried = {}
    for group in spec["groups"]:
        for rule in group["rules"]:
            for name in metric_names(rule["expr"]):
                queried.setdefault(name, f"rule {rule.get('alert') or rule.get('record')}")
    for expr in dashboard_queries(dashboard()):
        for name in metric_names(expr):
            queried.setdefault(name, "the dashboard")
    live = live_sample_names(client, settings)
    missing = {
        name: where for name, where in queried.items() if name not in live | recorded and name not in EXTERNAL
    }
    assert missing == {}
    # Most of what is queried is Ringlet's own, and really was on /metrics.
    own = {name for name in queried if name.startswith(("ringlet_", "django_"))}
    assert len(own) >= 10 and own <= live
