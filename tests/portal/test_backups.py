"""`manage.py backup_db` and `restore_db` (portal/backups.py) against the real PostgreSQL.

The commands run as child processes, as the CronJob and an operator run them; dumps go
to a filesystem storage in a temporary MEDIA_ROOT (S3 is exercised by the smoke test).
"""

import datetime
import shutil
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from courses.services import enroll
from lessons.models import LessonCompletion, PlaybackPosition
from portal import backups
from tests.page_fixtures import lessons_of, make_media
from tests.processes import BASE_DIR, PYTHON, child_env, database_url, free_port, run_manage

pytestmark = pytest.mark.slow

# What students cannot recreate, and the pages it hangs on. (Quiz attempts and
# certificates are not built yet: when they are, add their tables here.)
STUDENT_TABLES = {
    "wagtailcore_page": "id",
    "auth_user": "id",
    "courses_enrollment": "id",
    "lessons_lessoncompletion": "id",
    "lessons_playbackposition": "id",
}


def rows(url, table, order):
    with psycopg.connect(url) as conn:
        return conn.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()  # noqa: S608 (our names)


@pytest.fixture
def backup_root(tmp_path):
    root = tmp_path / "media"
    root.mkdir()
    return root


def manage(*args, media_root, **env):
    return run_manage(*args, env=child_env(MEDIA_ROOT=media_root, **env))


@pytest.fixture
def fresh_database():
    """An empty PostgreSQL database on the test server, dropped afterwards."""
    source = settings.DATABASES["default"]
    name = f"{source['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    admin_url = database_url({**source, "NAME": "postgres"})
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield database_url({**source, "NAME": name})
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def progress(course, student, other_student):
    """Enrollments, completions and playback positions of two students."""
    lessons = lessons_of(course)
    media = make_media()
    for user in (student, other_student):
        enroll(user, course)
    LessonCompletion.objects.create(user=student, lesson=lessons[0])
    LessonCompletion.objects.create(user=student, lesson=lessons[1])
    LessonCompletion.objects.create(user=other_student, lesson=lessons[0])
    PlaybackPosition.objects.create(user=student, media=media, lesson=lessons[2], position=42.5, duration=90)
    return lessons


@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_a_fresh_database_gives_back_every_students_progress(
    progress, backup_root, fresh_database
):
    taken = manage("backup_db", media_root=backup_root)
    assert taken.returncode == 0, taken.stderr
    (name,) = [
        line.split("\t")[0]
        for line in manage("backup_db", "--list", media_root=backup_root).stdout.splitlines()
    ]
    dump = backup_root / "backups" / f"{name}.dump"
    assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format

    restored = manage(
        "restore_db", "latest", "--confirm", media_root=backup_root, DATABASE_URL=fresh_database
    )
    assert restored.returncode == 0, restored.stderr
    assert f"Restored {name}" in restored.stdout
    source = database_url()
    for table, order in STUDENT_TABLES.items():
        original = rows(source, table, order)
        assert original, f"{table} has rows to compare"
        assert rows(fresh_database, table, order) == original, table
    # The restored schema is the code's: nothing left to migrate.
    check = run_manage("migrate", "--check", env=child_env(DATABASE_URL=fresh_database))
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.django_db(transaction=True)
def test_a_restore_over_a_database_with_tables_is_refused_without_force(
    progress, backup_root, fresh_database
):
    assert manage("backup_db", media_root=backup_root).returncode == 0
    before = rows(database_url(), "lessons_lessoncompletion", "id")

    refused = manage("restore_db", "latest", "--confirm", media_root=backup_root)
    assert refused.returncode == 1
    assert "is not empty" in refused.stderr and "--force" in refused.stderr
    assert rows(database_url(), "lessons_lessoncompletion", "id") == before

    # Without --confirm nothing happens either, even to an empty database.
    unconfirmed = manage("restore_db", "latest", media_root=backup_root, DATABASE_URL=fresh_database)
    assert unconfirmed.returncode == 1 and "add --confirm" in unconfirmed.stderr
    with psycopg.connect(fresh_database) as conn:
        assert conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone() == (0,)

    # --force replaces what is there: a student's later completion is gone again.
    first = manage("restore_db", "latest", "--confirm", media_root=backup_root, DATABASE_URL=fresh_database)
    assert first.returncode == 0, first.stderr
    with psycopg.connect(fresh_database, autocommit=True) as conn:
        conn.execute("DELETE FROM lessons_lessoncompletion")
    forced = manage(
        "restore_db", "latest", "--confirm", "--force", media_root=backup_root, DATABASE_URL=fresh_database
    )
    assert forced.returncode == 0, forced.stderr
    assert rows(fresh_database, "lessons_lessoncompletion", "id") == before


@pytest.mark.django_db
def test_retention_keeps_the_newest_of_each_recent_day_and_week_and_deletes_exactly_the_rest(
    settings, tmp_path
):
    settings.BACKUP_KEEP_DAILY, settings.BACKUP_KEEP_WEEKLY = 3, 3
    storage = FileSystemStorage(location=tmp_path)
    utc = datetime.UTC
    # Tuesday 1 December 2026; ISO weeks start on Mondays (30 Nov, 23 Nov, 16 Nov, 9 Nov).
    moments = {
        "today": datetime.datetime(2026, 12, 1, 3, 17, tzinfo=utc),
        "monday": datetime.datetime(2026, 11, 30, 3, 17, tzinfo=utc),
        "monday-early": datetime.datetime(2026, 11, 30, 1, 0, tzinfo=utc),
        "sunday": datetime.datetime(2026, 11, 29, 3, 17, tzinfo=utc),
        "saturday": datetime.datetime(2026, 11, 28, 3, 17, tzinfo=utc),
        "last-week-wednesday": datetime.datetime(2026, 11, 25, 3, 17, tzinfo=utc),
        "two-weeks-ago": datetime.datetime(2026, 11, 18, 3, 17, tzinfo=utc),
        "three-weeks-ago": datetime.datetime(2026, 11, 11, 3, 17, tzinfo=utc),
    }
    names = {
        label: backups.take_backup(now=moment, storage=storage).name for label, moment in moments.items()
    }
    # What failed uploads left behind: a day-old dump without a manifest, and a fresh one.
    for label, moment in (("old-orphan", moments["saturday"]), ("new-orphan", moments["today"])):
        names[label] = backups.name_for(moment + datetime.timedelta(minutes=1))
        storage.save(f"backups/{names[label]}.dump", ContentFile(b"PGDMP half"))
    assert [b.name for b in backups.list_backups(storage)] == [names[label] for label in moments]

    # The clock moves on to the next day's run.
    deleted = backups.prune(now=moments["today"] + datetime.timedelta(hours=1), storage=storage)

    # Days: today, Monday, Sunday. Weeks: this one (today), last (Sunday), the one before.
    kept = ["today", "monday", "sunday", "two-weeks-ago"]
    assert [b.name for b in backups.list_backups(storage)] == [names[label] for label in kept]
    gone = ["monday-early", "saturday", "last-week-wednesday", "three-weeks-ago", "old-orphan"]
    assert sorted(deleted) == sorted(names[label] for label in gone)
    left = sorted(storage.listdir("backups")[1])
    expected = sorted([f"{names[label]}{suffix}" for label in kept for suffix in (".dump", ".json")])
    assert left == sorted([*expected, f"{names['new-orphan']}.dump"])


def test_retention_always_keeps_the_newest_backup_even_with_zero_daily_and_weekly():
    moment = datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC)
    newest = backups.Backup("ringlet-b", moment, 1, "x")
    older = backups.Backup("ringlet-a", moment - datetime.timedelta(days=1), 1, "x")
    assert backups.kept([older, newest], keep_daily=0, keep_weekly=0) == {"ringlet-b"}


UNSHARE = shutil.which("unshare") or "/usr/bin/unshare"  # util-linux


@pytest.mark.django_db(transaction=True)
def test_an_upload_the_storage_refuses_half_way_leaves_no_dump_listed(backup_root):
    """The backups folder is a 64 KiB tmpfs, in a mount namespace of the command's own:
    the dump (about 300 KiB) fills it half-way and the storage refuses the rest (ENOSPC)."""
    folder = backup_root / "backups"
    folder.mkdir()
    script = (
        'mount -t tmpfs -o size=64k tmpfs "$FOLDER" || exit 99\n'
        f'{PYTHON} manage.py backup_db; echo "backup_db exit $?"\n'
        'echo "files:$(ls -A "$FOLDER" | tr "\\n" " ")"\n'
        f'{PYTHON} manage.py backup_db --list; echo "list exit $?"\n'
    )
    env = child_env(MEDIA_ROOT=backup_root, FOLDER=folder)
    result = subprocess.run(
        [UNSHARE, "--mount", "--map-root-user", "sh", "-c", script],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 99, f"could not mount a tmpfs: {result.stderr}"
    assert "refused by the storage" in result.stderr and "No space left on device" in result.stderr
    # The half-written dump was deleted, and nothing is listed as a backup.
    assert result.stdout.splitlines() == ["backup_db exit 1", "files:", "list exit 0"], result.stderr


def test_backup_db_fails_clearly_without_pg_dump(backup_root, django_db_setup):
    venv_only = str(Path(PYTHON).parent)
    result = manage("backup_db", media_root=backup_root, PATH=venv_only)
    assert result.returncode == 1
    assert "pg_dump not found on PATH" in result.stderr
    assert not (backup_root / "backups").exists()


def test_backup_db_fails_clearly_when_the_database_is_unreachable(backup_root):
    nowhere = f"postgres://postgres@127.0.0.1:{free_port()}/ringlet"
    result = manage("backup_db", media_root=backup_root, DATABASE_URL=nowhere)
    assert result.returncode == 1
    assert "backup_db: database ringlet is unreachable" in result.stderr
    assert not (backup_root / "backups").exists()


def test_restore_db_names_a_missing_backup(backup_root, django_db_setup):
    result = manage("restore_db", "ringlet-20200101T000000Z", "--confirm", media_root=backup_root)
    assert result.returncode == 1
    assert "no complete backup under backups/ yet" in result.stderr
