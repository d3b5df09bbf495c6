"""Limits in the rendered manifests agree with the settings: long lectures and upload size.

Checked against the rendered Kustomize output (as tests/deploy does) and the settings the
media worker's pods load from that environment, for a 3-hour video.
"""

import json
import os

import pytest

from media_library import limits
from tests.deploy.manifests import OVERLAYS, container_env, get, pod_spec, render
from tests.deploy.test_policies import STAGING_SECRETS, prestop_seconds
from tests.processes import run_python

THREE_HOURS = 3 * 3600
# Staging and prod create their Secret beforehand; production always has a Redis broker.
SECRETS = {**STAGING_SECRETS, "REDIS_URL": "redis://redis:6379/0"}
READ_SETTINGS = """
import json
import django
django.setup()
from django.conf import settings
from media_library import limits
from media_library.tasks import encode, transcode
print(json.dumps({
    "hours": settings.MEDIA_MAX_DURATION_HOURS,
    "upload_mb": settings.MEDIA_MAX_UPLOAD_MB,
    "visibility_timeout": settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"],
    "disable_prefetch": settings.CELERY_WORKER_DISABLE_PREFETCH,
    "media_acks_late": [encode.acks_late, transcode.acks_late],
    "three_hours": limits.encode_time_limits(3 * 3600, settings.MEDIA_MAX_DURATION_HOURS),
}))
"""


def pod_settings(env):
    """The media settings a pod with ``env`` loads, read in a fresh interpreter."""
    result = run_python(READ_SETTINGS, env={"PATH": os.environ["PATH"], **env}, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_a_three_hour_lecture_fits_the_encode_limits_the_broker_and_the_media_workers_grace_period(
    overlay,
):
    docs = render(overlay)
    worker = get(docs, "Deployment", "ringlet-media-worker")
    (container,) = pod_spec(worker)["containers"]
    env = container_env(docs, container, secrets=SECRETS)
    loaded = pod_settings(env)
    soft, hard = loaded["three_hours"]
    grace = pod_spec(worker)["terminationGracePeriodSeconds"]

    assert float(env["MEDIA_MAX_DURATION_HOURS"]) == loaded["hours"] >= 3
    # 300 s + 3 s per second of video, and a minute between the soft and the hard limit.
    assert (soft, hard) == (300 + 3 * THREE_HOURS, 300 + 3 * THREE_HOURS + 60) == (32_700, 32_760)
    # SIGTERM comes after the preStop pause; the warm shutdown then lets the encode finish.
    assert prestop_seconds(container) + hard < grace
    assert grace == limits.termination_grace_period(loaded["hours"], prestop_seconds(container))
    # Redis hands a delivered, unacknowledged message out again after the visibility timeout
    # (about two minutes, for the short tasks): an encode is acknowledged when it starts and
    # no worker holds a message it has not started, so a 3-hour encode never runs twice.
    assert loaded["visibility_timeout"] < hard
    assert loaded["media_acks_late"] == [False, False] and loaded["disable_prefetch"] is True
    # No per-container override of the task limits that could disagree with the setting.
    assert not {"CELERY_TASK_SOFT_TIME_LIMIT", "CELERY_TASK_TIME_LIMIT"} & {
        e["name"] for e in container.get("env", [])
    }


def test_the_limits_grow_with_the_longest_supported_duration():
    assert limits.longest_encode(4) > limits.longest_encode(3)
    assert limits.termination_grace_period(4, 5) > 5 + limits.longest_encode(4)


NGINX_SIZE = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_ingress_body_limit_equals_the_upload_limit_the_web_pods_enforce(overlay):
    docs = render(overlay)
    web = get(docs, "Deployment", "ringlet-web")
    (container,) = pod_spec(web)["containers"]
    loaded = pod_settings(container_env(docs, container, secrets=SECRETS))
    size = get(docs, "Ingress", "ringlet")["metadata"]["annotations"][
        "nginx.ingress.kubernetes.io/proxy-body-size"
    ]
    number, unit = size[:-1] if size[-1].isalpha() else size, size[-1].lower() if size[-1].isalpha() else ""

    assert int(number) * NGINX_SIZE[unit] == loaded["upload_mb"] * 2**20
