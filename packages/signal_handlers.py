"""Signal handlers of the packages app, connected in ``PackagesConfig.ready()``."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save


def package_saved(sender, instance, created, raw=False, **kwargs):
    """A new file (upload or replacement) resets the package to pending and enqueues its unpacking.

    Edits that keep the file (the title, the collection) change nothing.
    """
    if raw or not instance.file or instance.file.name == instance.source_file:
        return
    from . import services

    services.reset_to_pending(instance)
    services.enqueue_unpack(instance.pk)


def package_deleted(sender, instance, **kwargs):
    """The unpacked files and the original go with the package, once the deletion commits."""
    from media_library.storage import delete_tree

    prefix = instance.root_prefix()
    name, storage = instance.file.name, instance.file.storage

    def clean_up():
        delete_tree(prefix)
        if name:
            storage.delete(name)

    transaction.on_commit(clean_up, robust=True)


def attempt_written(sender, instance, **kwargs):
    """A package attempt was saved or deleted (its score may have changed): the answers kept about
    its student go (the scores their course page shows)."""
    from courses.services import learner_records_changed

    learner_records_changed(instance.user_id)


def connect():
    from .models import Attempt, ContentPackage

    post_save.connect(attempt_written, sender=Attempt, dispatch_uid="packages.attempt_saved")
    post_delete.connect(attempt_written, sender=Attempt, dispatch_uid="packages.attempt_deleted")

    post_save.connect(package_saved, sender=ContentPackage, dispatch_uid="packages.package_saved")
    post_delete.connect(package_deleted, sender=ContentPackage, dispatch_uid="packages.package_deleted")
