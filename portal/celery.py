"""The Celery application for web, worker and beat (one image, three commands).

Like ``portal/wsgi.py`` it defaults to the production settings (the image's processes);
``manage.py``, ``make run`` and the Procfile choose the development settings explicitly.
"""

import os

from celery import Celery
from celery.signals import task_prerun

from portal import worker_heartbeat

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Kubernetes' worker probes read the files this keeps fresh (portal/probes.py).
worker_heartbeat.install(app)


@task_prerun.connect
def forget_content_type_ids(**kwargs):
    """Wagtail's reference index and generic relations use content type ids, which a worker
    caches for its whole life; a database restored under a running worker (or re-created by
    a test run) gives them new ids, so each task starts without the cache (one query to refill)."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
