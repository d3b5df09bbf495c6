"""The zip file of a content package: checked entry by entry, then unpacked to storage under limits.

``open_archive`` reads the central directory and refuses, before anything is decompressed:
a file that is not a zip, encrypted entries, symbolic links, names that are absolute or climb
out of the package (``../``), a name used twice, more files than ``PACKAGE_MAX_FILES`` and a
declared unpacked size over ``PACKAGE_MAX_UNPACKED_MB``. ``unpack`` then streams each entry
to storage counting the bytes it really decompresses, so an entry whose header under-states
its size (a crafted zip bomb) is stopped at the same cap (zipfile also checks each entry's
CRC and size, and a mismatch is reported as a damaged file).
"""

import posixpath
import re
import stat
import tempfile
import zipfile
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import File

from .manifests import PackageRefused

MIB = 1024 * 1024
CHUNK = 256 * 1024
# Entries up to this size are unpacked in memory on their way to storage; larger ones spill to disk.
SPOOL_BYTES = 8 * MIB
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class Limits:
    upload_bytes: int
    unpacked_bytes: int
    files: int

    @classmethod
    def from_settings(cls):
        return cls(
            upload_bytes=settings.PACKAGE_MAX_UPLOAD_MB * MIB,
            unpacked_bytes=settings.PACKAGE_MAX_UNPACKED_MB * MIB,
            files=settings.PACKAGE_MAX_FILES,
        )


def mib(size):
    value = size / MIB
    return f"{value:,.0f} MiB" if value >= 10 else f"{value:,.1f} MiB"


def too_large(size, limits):
    return PackageRefused.because("too_large", size=mib(size), limit=mib(limits.upload_bytes))


class Archive:
    """An open package zip whose entries passed the checks: ``names`` maps each clean name to its entry."""

    def __init__(self, zip_file, names, total):
        self.zip = zip_file
        self.names = names
        self.declared_size = total

    def read(self, name, limit=None):
        """The bytes of the entry ``name`` (a clean name), at most ``limit`` bytes."""
        with self.zip.open(self.names[name]) as fh:
            data = fh.read(limit + 1 if limit else -1)
        if limit and len(data) > limit:
            raise PackageRefused.because("entry_too_large", name=name, limit=mib(limit))
        return data


def clean_name(raw):
    """A zip entry's name as a path inside the package, or ``PackageRefused`` if it escapes it."""
    name = raw.replace("\\", "/")
    if name.startswith("/") or _DRIVE.match(name):
        raise PackageRefused.because("absolute_path", name=raw)
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise PackageRefused.because("climbs_out", name=raw)
    return "/".join(parts)


def open_archive(fileobj, limits=None):
    """Check the zip's directory; return an ``Archive`` (raises ``PackageRefused``).

    ``fileobj`` must be seekable (an upload's temporary file, or a local copy).
    """
    limits = limits or Limits.from_settings()
    try:
        zip_file = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise PackageRefused.because("not_a_zip") from None
    names, total, files = {}, 0, 0
    for info in zip_file.infolist():
        name = clean_name(info.filename)
        if info.is_dir() or not name:
            continue
        if info.flag_bits & 0x1:
            raise PackageRefused.because("encrypted", name=name)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise PackageRefused.because("symbolic_link", name=name)
        if name in names:
            raise PackageRefused.because("twice", name=name)
        names[name] = info
        files += 1
        total += info.file_size
        if files > limits.files:
            raise PackageRefused.because("too_many_files", files=f"{limits.files:,}")
        if total > limits.unpacked_bytes:
            raise PackageRefused.because("too_large_unpacked", limit=mib(limits.unpacked_bytes))
    return Archive(zip_file, names, total)


def unpack(archive, prefix, storage, limits=None):
    """Write every file of ``archive`` to ``storage`` under ``prefix``; return ``(files, bytes)``.

    Counts the decompressed bytes as it goes, refusing at the unpacked-size cap whatever the
    headers said. Each entry is copied to a spooled temporary file first, so every storage
    (filesystem, S3, Azure Blob) gets a seekable file of known size. The caller deletes
    ``prefix`` if this raises.
    """
    limits = limits or Limits.from_settings()
    written = 0
    for name, info in archive.names.items():
        target = posixpath.join(prefix, name)
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as copy:
            try:
                with archive.zip.open(info) as source:
                    while chunk := source.read(CHUNK):
                        written += len(chunk)
                        if written > limits.unpacked_bytes:
                            raise PackageRefused.because("zip_bomb", limit=mib(limits.unpacked_bytes))
                        copy.write(chunk)
            except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
                raise PackageRefused.because("damaged_entry", name=name, problem=str(exc)) from None
            copy.seek(0)
            stored = storage.save(target, File(copy, name=posixpath.basename(name)))
        if stored != target:
            raise RuntimeError(f"storage renamed {target} to {stored}; the version prefix was not fresh")
    return len(archive.names), written
