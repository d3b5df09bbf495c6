"""Beat's scheduler: django-celery-beat's DatabaseScheduler plus a heartbeat file.

Beat's service loop calls ``tick()`` at least every few seconds (DatabaseScheduler's
``max_interval`` is 5 s), so touching a file there shows that the loop turns; a beat
hung on a lock, a dead database connection it never gives up on, or a stuck send makes
the file go stale, and ``python portal/probes.py beat-alive`` fails so that Kubernetes
restarts the pod. A process that merely exists (the old probe) could not show that.
"""

from django_celery_beat.schedulers import DatabaseScheduler

from portal import probes


class HeartbeatDatabaseScheduler(DatabaseScheduler):
    """DatabaseScheduler whose every tick refreshes ``probes.beat_heartbeat_file()``."""

    def tick(self, *args, **kwargs):
        probes.beat_heartbeat_file().touch()
        return super().tick(*args, **kwargs)

    def close(self):
        probes.beat_heartbeat_file().unlink(missing_ok=True)
        super().close()
