"""The worker side of the Celery probes in ``portal/probes.py``."""

from celery import bootsteps
from celery.signals import worker_ready, worker_shutdown

from portal import probes


class Heartbeat(bootsteps.StartStopStep):
    """Touches the heartbeat file from the worker's own timer, so a hung main loop shows."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.tref = None

    def start(self, worker):
        probes.heartbeat_file().touch()
        self.tref = worker.timer.call_repeatedly(probes.HEARTBEAT_SECONDS, probes.heartbeat_file().touch)

    def stop(self, worker):
        if self.tref is not None:
            self.tref.cancel()
        probes.heartbeat_file().unlink(missing_ok=True)


@worker_ready.connect
def mark_ready(**kwargs):
    probes.ready_file().touch()


@worker_shutdown.connect
def unmark_ready(**kwargs):
    probes.ready_file().unlink(missing_ok=True)


def install(app):
    app.steps["worker"].add(Heartbeat)
