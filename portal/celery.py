"""The Celery application for web, worker and beat (one image, three commands)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Kubernetes' worker probes read the files this keeps fresh (portal/probes.py).
from portal import worker_heartbeat  # noqa: E402

worker_heartbeat.install(app)
