"""The Celery application for web, worker and beat (one image, three commands).

Like ``portal/wsgi.py`` it defaults to the production settings (the image's processes);
``manage.py``, ``make run`` and the Procfile choose the development settings explicitly.
"""

import os

from celery import Celery

from portal import worker_heartbeat

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Kubernetes' worker probes read the files this keeps fresh (portal/probes.py).
worker_heartbeat.install(app)
