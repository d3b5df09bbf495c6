"""Storage helpers for unpacked packages, through Django's storage API (filesystem, S3, Azure Blob)."""

import contextlib
import os
import posixpath

from django.core.files.storage import default_storage


def local_path(storage, name):
    """The filesystem path of a stored file, or ``None`` when the storage is remote."""
    try:
        return storage.path(name)
    except NotImplementedError:
        return None


def delete_tree(prefix, storage=None):
    """Delete every file under ``prefix`` (recursively); return how many went."""
    storage = storage or default_storage
    try:
        dirs, files = storage.listdir(prefix)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    count = 0
    for name in files:
        storage.delete(posixpath.join(prefix, name))
        count += 1
    for name in dirs:
        count += delete_tree(posixpath.join(prefix, name), storage)
    directory = local_path(storage, prefix)
    if directory:
        # The filesystem keeps empty directories; object stores have none to remove.
        with contextlib.suppress(OSError):
            os.rmdir(directory)
    return count


def list_subdirs(prefix, storage=None):
    storage = storage or default_storage
    try:
        return storage.listdir(prefix)[0]
    except (FileNotFoundError, NotADirectoryError):
        return []
