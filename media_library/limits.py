"""Time limits of the media pipeline, all derived from the longest supported duration.

Pure arithmetic with no Django import, so ``portal.settings`` and the deployment tests use
the same numbers: the encode time limits and the media worker's
``terminationGracePeriodSeconds`` agree by construction. The broker's visibility timeout is
not among them: encodes are acknowledged when they start and workers prefetch nothing, so
it is sized for the short tasks (``CELERY_VISIBILITY_TIMEOUT``).

A rollout stops a media worker with SIGTERM: Celery's warm shutdown takes no new task and
lets the running encode finish, so the pod's grace period must cover the longest encode.
"""

import math

# Encodes get (base + factor x duration) seconds. About 0.3x real time was measured for a
# 720p ladder on 2 cores (bench/RESULTS.md); 3x leaves room for the 1080p rung, a loaded
# node and copying the renditions to storage.
TIME_LIMIT_BASE = 300
TIME_LIMIT_FACTOR = 3
# Between the soft limit (the task cleans up and marks the item failed) and the hard one.
HARD_LIMIT_MARGIN = 60
# What the worker needs after the last encode finishes: closing connections, exiting.
SHUTDOWN_MARGIN = 60


def max_duration_seconds(max_hours):
    return int(max_hours * 3600)


def encode_time_limits(duration, max_hours=None):
    """(soft, hard) seconds for encoding ``duration`` seconds (capped at ``max_hours``)."""
    if max_hours is not None:
        duration = min(duration or 0, max_duration_seconds(max_hours))
    soft = int(TIME_LIMIT_BASE + TIME_LIMIT_FACTOR * math.ceil(duration or 0))
    return soft, soft + HARD_LIMIT_MARGIN


def longest_encode(max_hours):
    """The hard time limit of the longest encode supported."""
    return encode_time_limits(max_duration_seconds(max_hours))[1]


def termination_grace_period(max_hours, prestop_seconds):
    """The media worker pod's grace period: the preStop pause, the longest encode, exit."""
    return prestop_seconds + longest_encode(max_hours) + SHUTDOWN_MARGIN
