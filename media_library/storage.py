"""Reading and writing renditions through Django's storage API (filesystem, S3 or Azure Blob alike)."""

import contextlib
import os
import posixpath
import shutil

from django.core.files import File
from django.core.files.storage import default_storage


def download(field_file, directory):
    """Copy a stored file to ``directory`` (FFmpeg needs a seekable local file); return its path."""
    suffix = os.path.splitext(field_file.name)[1].lower()[:10]
    local = os.path.join(directory, f"source{suffix}")
    with field_file.storage.open(field_file.name, "rb") as src, open(local, "wb") as dst:
        shutil.copyfileobj(src, dst, length=1024 * 1024)
    return local


def upload_tree(local_dir, prefix, storage=None):
    """Save every file under ``local_dir`` as ``prefix/<relative path>``; return {relative: size}.

    The prefix is new for every encode, so nothing is overwritten and a reader never
    sees a half-written rendition: it only learns of the prefix once all is saved.
    """
    storage = storage or default_storage
    saved = {}
    for root, _dirs, files in os.walk(local_dir):
        for name in sorted(files):
            path = os.path.join(root, name)
            relative = os.path.relpath(path, local_dir).replace(os.sep, "/")
            target = posixpath.join(prefix, relative)
            with open(path, "rb") as fh:
                stored = storage.save(target, File(fh, name=name))
            if stored != target:
                raise RuntimeError(f"storage renamed {target} to {stored}; the version prefix was not fresh")
            saved[relative] = os.path.getsize(path)
    return saved


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


def local_path(storage, name):
    """The filesystem path of a stored file, or ``None`` when the storage is remote."""
    try:
        return storage.path(name)
    except NotImplementedError:
        return None
