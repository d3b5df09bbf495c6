"""The package worker (queue ``default``): check a package's zip and unpack it to storage.

``unpack_package`` is enqueued on commit when a package is uploaded or its file replaced, and
by the sweep (beat, every minute) for packages saved while the broker was down or left by a
worker that died. It is idempotent: a package already ready for its current file is left
alone, and every run unpacks under a fresh version prefix that becomes live in one
transaction, after which the previous version is deleted.
"""

import logging
import os
import shutil
import tempfile
import uuid
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from media_library.locks import advisory_lock
from media_library.storage import delete_tree, list_subdirs, local_path

from . import services
from .archive import Limits, open_archive, too_large, unpack
from .manifests import PackageRefused, describe
from .models import ContentPackage

logger = logging.getLogger(__name__)

# A pending package (saved, never handed to the broker) is enqueued by the sweep after this.
ENQUEUE_GRACE = 30
# An unpack still "processing" after this long belonged to a worker that died.
PROCESSING_TIMEOUT = 20 * 60
LOCK_CLASS = 0x524B  # advisory-lock namespace of the package worker ("RK")


@shared_task(bind=True, acks_late=True, ignore_result=True, soft_time_limit=15 * 60, time_limit=16 * 60)
def unpack_package(self, package_id):
    """Check and unpack the package's current file; returns what it did."""
    package = ContentPackage.objects.filter(pk=package_id).first()
    if package is None or not package.file:
        return "gone"
    if package.is_ready and package.source_file == package.file.name:
        return "already ready"
    with advisory_lock(LOCK_CLASS, package_id) as locked:
        if not locked:
            return "busy"  # another run has it; the sweep retries if that one dies
        package.refresh_from_db()
        if package.is_ready and package.source_file == package.file.name:
            return "already ready"
        # Versions left by runs that died midway (never live) go first.
        _delete_orphans(package, keep=package.version)
        return _unpack_locked(self, package)


def _unpack_locked(task, package):
    package_id = package.pk
    source_file = package.file.name
    services.start_unpacking(package_id)
    version = uuid.uuid4().hex[:16]
    prefix = package.version_prefix(version)
    try:
        facts, files, size = _unpack(package, prefix)
    except PackageRefused as refusal:
        delete_tree(prefix)
        services.mark_refused(package_id, refusal, task_id=task.request.id)
        return "refused"
    except Exception:
        delete_tree(prefix)
        logger.exception(
            "package %s: unexpected error while unpacking (task %s)", package_id, task.request.id
        )
        services.mark_refused(
            package_id,
            PackageRefused.because("server_error", reference=task.request.id),
            task_id=task.request.id,
        )
        raise
    with transaction.atomic():
        current = ContentPackage.objects.select_for_update().filter(pk=package_id).first()
        if current is None or current.file.name != source_file:
            # Deleted or replaced meanwhile: the replacement has its own task.
            transaction.on_commit(lambda: delete_tree(prefix))
            return "superseded"
        old_version = current.version
        services.mark_ready(current, facts, version, source_file, files, size)
    if old_version and old_version != version:
        # Live until the switch above: a student mid-session keeps the files until now.
        delete_tree(package.version_prefix(old_version))
    return "ready"


def _unpack(package, prefix):
    limits = Limits.from_settings()
    storage = package.file.storage
    size = storage.size(package.file.name)
    if size > limits.upload_bytes:
        raise too_large(size, limits)
    local = local_path(storage, package.file.name)
    workdir = tempfile.mkdtemp(prefix="ringlet-package-")
    try:
        if local is None:
            # Object stores: zipfile needs to seek, so read from a local copy.
            local = os.path.join(workdir, "package.zip")
            with storage.open(package.file.name, "rb") as src, open(local, "wb") as dst:
                shutil.copyfileobj(src, dst, length=1024 * 1024)
        with open(local, "rb") as fh:
            archive = open_archive(fh, limits)
            facts = describe(archive.names, lambda name: archive.read(name, limit=20 * 1024 * 1024))
            files, written = unpack(archive, prefix, default_storage, limits)
        return facts, files, written
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _delete_orphans(package, keep):
    """Delete every version of ``package`` but ``keep`` (the live one): left by runs that died."""
    for version in list_subdirs(package.root_prefix()):
        if version != keep:
            delete_tree(package.version_prefix(version))


@shared_task(ignore_result=True)
def sweep_packages():
    """Enqueue packages never handed to a worker, or whose worker died while unpacking."""
    now = timezone.now()
    pending = ContentPackage.objects.filter(
        status=ContentPackage.Status.PENDING, status_changed_at__lt=now - timedelta(seconds=ENQUEUE_GRACE)
    )
    stuck = ContentPackage.objects.filter(
        status=ContentPackage.Status.PROCESSING,
        status_changed_at__lt=now - timedelta(seconds=PROCESSING_TIMEOUT),
    )
    count = 0
    for package_id in list(pending.values_list("pk", flat=True)) + list(stuck.values_list("pk", flat=True)):
        services.publish_unpack(package_id)
        count += 1
    return count


def package_limits_text():
    """The limits as the admin states them (used by the upload form's help)."""
    return (
        f"At most {settings.PACKAGE_MAX_UPLOAD_MB:,} MiB, unpacking to at most "
        f"{settings.PACKAGE_MAX_UNPACKED_MB:,} MiB in {settings.PACKAGE_MAX_FILES:,} files."
    )
