"""Database backups: pg_dump into Django's storage, retention, and pg_restore back.

A backup is two objects under ``settings.BACKUP_LOCATION`` (``backups/``) of the
``backups`` storage: a bucket of its own when ``BACKUP_BUCKET_NAME`` (S3) or
``BACKUP_AZURE_CONTAINER`` is set, apart from the media, otherwise the default storage
(the media bucket, or MEDIA_ROOT on a volume):

- ``ringlet-20261201T031700Z.dump``: ``pg_dump --format=custom`` (compressed by pg_dump
  itself, zlib level 6; pg_restore reads it back selectively and in parallel);
- ``ringlet-20261201T031700Z.json``: written only after the dump is stored whole, with
  its size and SHA-256. Only dumps with this manifest are listed, restored or counted
  by retention, so an upload that failed half-way is never mistaken for a backup.

Retention keeps, like restic's ``--keep-daily``/``--keep-weekly``, the newest backup of
each of the last ``BACKUP_KEEP_DAILY`` days that have one and of each of the last
``BACKUP_KEEP_WEEKLY`` ISO weeks that have one (UTC), and always the newest backup.

Why not django-dbbackup 5.4.0: its retention keeps the newest N files only (no daily and
weekly tiers), it stores a dump under its final name with nothing marking it complete,
its restore runs over whatever the database holds (no refusal of a non-empty one), and it
needs its own ``STORAGES["dbbackup"]`` copy of the S3/Azure settings; what remained to
use (running pg_dump) is a few lines here.
"""

import dataclasses
import datetime
import hashlib
import json
import logging
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import OperationalError, connections

logger = logging.getLogger(__name__)

PREFIX = "ringlet-"
STAMP = "%Y%m%dT%H%M%SZ"
DUMP_SUFFIX = ".dump"
MANIFEST_SUFFIX = ".json"
# A dump without a manifest this old is what a failed upload left behind (its own
# clean-up failed too); younger ones may belong to a backup still uploading.
ORPHAN_AFTER = datetime.timedelta(days=1)
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the operator."""


@dataclasses.dataclass(frozen=True)
class Backup:
    name: str
    taken_at: datetime.datetime
    size: int
    sha256: str

    @property
    def dump_path(self):
        return storage_path(self.name + DUMP_SUFFIX)


def backup_storage():
    """The storage dumps go to: ``STORAGES["backups"]`` (portal/settings/base.py)."""
    return storages["backups"]


def storage_path(filename):
    return f"{settings.BACKUP_LOCATION.strip('/')}/{filename}"


def name_for(moment):
    return PREFIX + moment.astimezone(datetime.UTC).strftime(STAMP)


def time_of(name):
    """The UTC time in a backup's name, or None if the name is not one of ours."""
    if not name.startswith(PREFIX):
        return None
    try:
        return datetime.datetime.strptime(name[len(PREFIX) :], STAMP).replace(tzinfo=datetime.UTC)
    except ValueError:
        return None


# --- PostgreSQL's own tools ------------------------------------------------------------------
def database_settings(alias="default"):
    """The connection pg_dump and pg_restore use: ``DATABASE_DIRECT_URL`` when set (the
    primary itself: pg_dump's session settings and its long snapshot do not survive a
    transaction-pooling PgBouncer), otherwise Django's own."""
    db = settings.DATABASE_DIRECT or settings.DATABASES[alias]
    if "postgresql" not in db["ENGINE"]:
        raise BackupError(f"backups need PostgreSQL; DATABASE_URL points at {db['ENGINE']}")
    return db


def libpq_env(db):
    """The connection as libpq environment variables, so no password is on a command line."""
    env = {"PGDATABASE": db["NAME"], "PGCONNECT_TIMEOUT": "10"}
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    options = db.get("OPTIONS") or {}
    for key, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT")):
        if options.get(key):
            env[variable] = str(options[key])
    return env


def tool(name):
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} not found on PATH: install PostgreSQL's client tools (postgresql-client)")
    return path


def run_tool(name, args, db):
    env = {"PATH": "/usr/bin:/bin", **libpq_env(db)}
    # A fixed tool and arguments built here; the connection goes through the environment.
    result = subprocess.run([tool(name), *args], env=env, capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{name} failed (exit {result.returncode}): {result.stderr.strip()}")
    return result


def check_reachable(alias="default"):
    """Fail with a clear message if the database does not answer."""
    db = database_settings(alias)
    try:
        connections[alias].ensure_connection()
    except OperationalError as error:
        raise BackupError(f"database {db['NAME']} is unreachable: {error}".strip()) from error
    return db


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while block := file.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


# --- Taking and listing backups -------------------------------------------------------------
def take_backup(now=None, storage=None):
    """Dump the database and store it with its manifest; return the ``Backup``."""
    storage = storage or backup_storage()
    db = check_reachable()
    tool("pg_dump")
    name = name_for(now or datetime.datetime.now(datetime.UTC))
    with tempfile.TemporaryDirectory(prefix="ringlet-backup-") as tmp:
        local = Path(tmp) / (name + DUMP_SUFFIX)
        run_tool("pg_dump", ["--format=custom", "--compress=6", f"--file={local}"], db)
        backup = Backup(name=name, taken_at=time_of(name), size=local.stat().st_size, sha256=sha256_of(local))
        upload(backup, local, storage)
    logger.info("backup %s stored (%d bytes)", backup.name, backup.size)
    return backup


def upload(backup, local, storage):
    """Store the dump, check it arrived whole, then the manifest; undo the dump on failure."""
    dump_path = backup.dump_path
    manifest_path = storage_path(backup.name + MANIFEST_SUFFIX)
    if storage.exists(dump_path) or storage.exists(manifest_path):
        raise BackupError(f"{dump_path} already exists: another backup ran in the same second")
    try:
        with open(local, "rb") as file:
            saved = storage.save(dump_path, File(file, name=local.name))
        if saved != dump_path or storage.size(saved) != backup.size:
            raise BackupError(f"the storage kept {saved} with {storage.size(saved)} bytes, not {backup.size}")
        manifest = {"name": backup.name, "taken_at": backup.taken_at.isoformat(), "size": backup.size}
        manifest |= {"sha256": backup.sha256, "format": "pg_dump custom"}
        storage.save(manifest_path, ContentFile(json.dumps(manifest, indent=2).encode()))
    except Exception as error:
        discard(storage, dump_path, manifest_path)
        if isinstance(error, BackupError):
            raise
        raise BackupError(f"upload of {dump_path} refused by the storage: {error}") from error


def discard(storage, *paths):
    for path in paths:
        try:
            storage.delete(path)
        except Exception:  # best effort: without its manifest the dump is never listed anyway
            logger.warning("could not delete %s after a failed upload", path, exc_info=True)


def stored_files(storage):
    try:
        _folders, files = storage.listdir(settings.BACKUP_LOCATION.strip("/"))
    except FileNotFoundError:
        return []
    return files


def list_backups(storage=None):
    """Complete backups (those with a manifest and their dump), newest first."""
    storage = storage or backup_storage()
    files = set(stored_files(storage))
    backups = []
    for filename in files:
        name = filename.removesuffix(MANIFEST_SUFFIX)
        if filename == name or time_of(name) is None or name + DUMP_SUFFIX not in files:
            continue
        with storage.open(storage_path(filename), "rb") as file:
            manifest = json.loads(file.read())
        backups.append(Backup(name, time_of(name), int(manifest["size"]), manifest["sha256"]))
    return sorted(backups, key=lambda backup: backup.taken_at, reverse=True)


def find_backup(name, storage=None):
    backups = list_backups(storage)
    if not backups:
        raise BackupError(f"no complete backup under {settings.BACKUP_LOCATION}/ yet")
    if name == "latest":
        return backups[0]
    name = name.removesuffix(DUMP_SUFFIX)
    for backup in backups:
        if backup.name == name:
            return backup
    raise BackupError(f"no complete backup named {name} (see `manage.py backup_db --list`)")


# --- Retention --------------------------------------------------------------------------------
def kept(backups, keep_daily, keep_weekly):
    """The names retention keeps: the newest of each of the last N days and M ISO weeks."""
    newest_first = sorted(backups, key=lambda backup: backup.taken_at, reverse=True)
    keep = {newest_first[0].name} if newest_first else set()
    for bucket, count in ((lambda t: t.date(), keep_daily), (lambda t: t.isocalendar()[:2], keep_weekly)):
        seen = []
        for backup in newest_first:
            key = bucket(backup.taken_at)
            if key not in seen:
                if len(seen) == count:
                    break
                seen.append(key)
                keep.add(backup.name)
    return keep


def prune(now=None, storage=None):
    """Delete complete backups beyond the policy and stale leftovers; return the deleted names."""
    storage = storage or backup_storage()
    now = now or datetime.datetime.now(datetime.UTC)
    backups = list_backups(storage)
    keep = kept(backups, settings.BACKUP_KEEP_DAILY, settings.BACKUP_KEEP_WEEKLY)
    deleted = []
    for backup in backups:
        if backup.name not in keep:
            # The manifest first: a backup half deleted is no longer listed as complete.
            storage.delete(storage_path(backup.name + MANIFEST_SUFFIX))
            storage.delete(backup.dump_path)
            deleted.append(backup.name)
    complete = {backup.name for backup in backups}
    for filename in stored_files(storage):
        name = filename.removesuffix(DUMP_SUFFIX)
        taken = time_of(name)
        if filename != name and taken and name not in complete and now - taken > ORPHAN_AFTER:
            storage.delete(storage_path(filename))
            deleted.append(name)
    return deleted


# --- Restore ----------------------------------------------------------------------------------
def table_count(alias="default"):
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_catalog.pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        )
        return cursor.fetchone()[0]


def restore(backup, force=False, storage=None):
    """Restore ``backup`` into the configured database; refuse a non-empty one unless ``force``."""
    storage = storage or backup_storage()
    db = check_reachable()
    tool("pg_restore")
    tables = table_count()
    if tables and not force:
        raise BackupError(
            f"database {db['NAME']} is not empty ({tables} tables): restore into a new, empty "
            "database, or add --force to replace what it holds"
        )
    # pg_restore needs the database to itself for --clean; Django's connection is idle now.
    connections.close_all()
    with tempfile.TemporaryDirectory(prefix="ringlet-restore-") as tmp:
        local = Path(tmp) / (backup.name + DUMP_SUFFIX)
        with storage.open(backup.dump_path, "rb") as source, open(local, "wb") as target:
            shutil.copyfileobj(source, target, CHUNK)
        if sha256_of(local) != backup.sha256:
            raise BackupError(f"{backup.dump_path} does not match its manifest's SHA-256: not restored")
        args = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
        if tables:
            args += ["--clean", "--if-exists"]
        run_tool("pg_restore", [*args, f"--dbname={db['NAME']}", str(local)], db)
    logger.info("backup %s restored into %s", backup.name, db["NAME"])
