"""checkov on every rendered overlay: failed checks per workload, against a ceiling.

`make checkov` runs it with checkov from its own venv (.venv-checkov, requirements/checkov.txt).
It renders each overlay with `kubectl kustomize`, runs `checkov --framework kubernetes` on
the result, and prints the failed checks of each workload (Deployments, StatefulSets,
Jobs, CronJobs) and their mean. It exits 1 if prod's mean exceeds CEILING, the figure the
README records (kustomize/README.md, "checkov").

Usage: python scripts/checkov_report.py [--checkov PATH] [overlay ...]
"""

import argparse
import collections
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OVERLAYS = ("dev", "staging", "prod", "prod-cnpg")
WORKLOADS = ("Deployment", "StatefulSet", "Job", "CronJob", "DaemonSet")
# Prod's failed checks per workload before issue 26 was 2.5 (15 failures, 6 workloads).
CEILING = 2.5


def rendered(overlay, directory):
    path = Path(directory) / f"{overlay}.yaml"
    path.write_text(
        subprocess.run(  # noqa: S603 (kubectl and a path of this repository)
            [
                shutil.which("kubectl") or "/usr/bin/kubectl",
                "kustomize",
                str(ROOT / "kustomize" / "overlays" / overlay),
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    return path


def failures(checkov, path):
    """``({workload: [check ids]}, checks passed)`` for one rendered overlay."""
    result = subprocess.run(  # noqa: S603 (the checkov the Makefile installed)
        [
            checkov,
            "--framework",
            "kubernetes",
            "--file",
            str(path),
            "--output",
            "json",
            "--quiet",
            "--compact",
        ],
        capture_output=True,
        text=True,
    )
    report = json.loads(result.stdout)
    report = report[0] if isinstance(report, list) else report
    failed = collections.defaultdict(list)
    for check in report["results"]["failed_checks"]:
        failed[check["resource"]].append(check["check_id"])
    return failed, report["summary"]["passed"]


def workload_names(path):
    import yaml

    return [
        f"{doc['kind']}.{doc['metadata'].get('namespace', 'default')}.{doc['metadata']['name']}"
        for doc in yaml.safe_load_all(path.read_text())
        if doc and doc["kind"] in WORKLOADS
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkov", default=str(ROOT / ".venv-checkov" / "bin" / "checkov"))
    parser.add_argument("overlays", nargs="*", default=list(OVERLAYS))
    args = parser.parse_args()
    means = {}
    with tempfile.TemporaryDirectory() as tmp:
        for overlay in args.overlays:
            path = rendered(overlay, tmp)
            failed, _passed = failures(args.checkov, path)
            names = workload_names(path)
            total = sum(len(failed.get(name, [])) for name in names)
            means[overlay] = total / len(names)
            mean = f"{means[overlay]:.2f}"
            print(f"{overlay}: {total} failed checks on {len(names)} workloads = {mean} per workload")
            for name in names:
                print(f"  {name}: {len(failed.get(name, []))} {' '.join(sorted(failed.get(name, [])))}")
            others = sorted(set(failed) - set(names))
            for name in others:
                print(f"  (not a workload) {name}: {' '.join(sorted(failed[name]))}")
    if "prod" in means and means["prod"] > CEILING:
        print(f"prod: {means['prod']:.2f} failed checks per workload, above the ceiling of {CEILING}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
