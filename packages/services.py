"""What other apps may ask of ``packages``: a package's status, and (below) its players and results.

Status transitions (pending → processing → ready | refused) are written here only: by the
signal handlers (an upload), the worker (``tasks.unpack_package``) and the sweep.
"""

import logging

from celery import current_app
from django.db import transaction
from django.utils import timezone

from .models import ContentPackage

logger = logging.getLogger(__name__)


def reset_to_pending(package):
    """Back to pending for the package's current file (a new upload or a replacement)."""
    fields = {
        "status": ContentPackage.Status.PENDING,
        "error": "",
        "source_file": package.file.name,
        "status_changed_at": timezone.now(),
    }
    ContentPackage.objects.filter(pk=package.pk).update(**fields)
    for name, value in fields.items():
        setattr(package, name, value)


def enqueue_unpack(package_id):
    """Queue the package's unpacking once the current transaction commits.

    With the broker down the package stays pending, and the sweep enqueues it later.
    """
    transaction.on_commit(lambda: publish_unpack(package_id), robust=True)


def publish_unpack(package_id):
    """Hand the package to the broker now. Returns success."""
    try:
        # By name: tasks.py calls the transitions here, so this module must not import it.
        current_app.send_task("packages.tasks.unpack_package", args=(package_id,), ignore_result=True)
    except Exception as exc:  # kombu raises several types (OperationalError, socket errors...)
        logger.warning(
            "package %s: could not reach the broker (%s: %s); the sweep will queue it",
            package_id,
            exc.__class__.__name__,
            exc,
        )
        return False
    return True


def start_unpacking(package_id):
    _touch(package_id, status=ContentPackage.Status.PROCESSING)


def mark_refused(package_id, message, task_id=None):
    """The package cannot be used: ``message`` is what editors read (the live version, if any, stays)."""
    logger.warning("package %s refused (task %s): %s", package_id, task_id, message)
    _touch(package_id, status=ContentPackage.Status.FAILED, error=message[:4000])


def mark_ready(package, facts, version, source_file, files, size):
    """``version`` (unpacked from ``source_file``, described by ``facts``) is now the live one."""
    fields = {
        "status": ContentPackage.Status.READY,
        "error": "",
        "version": version,
        "source_file": source_file,
        "kind": facts.kind,
        "standard_version": facts.standard_version[:64],
        "launch_path": facts.launch_path[:1000],
        "mastery_score": facts.mastery_score,
        "details": facts.details,
        "file_count": files,
        "unpacked_size": size,
        "status_changed_at": timezone.now(),
    }
    if not package.title and facts.title:
        fields["title"] = facts.title[:255]
    ContentPackage.objects.filter(pk=package.pk).update(**fields)


def status_label(package):
    """What the admin shows for a package's status."""
    if package.status == ContentPackage.Status.FAILED and package.version:
        return "Refused (the previous file still plays)"
    return package.get_status_display()


def _touch(package_id, **fields):
    ContentPackage.objects.filter(pk=package_id).update(status_changed_at=timezone.now(), **fields)
