"""Django behind PgBouncer in transaction mode (issue 26, kustomize/README.md "Connection pooling").

A real PgBouncer (Debian's, started by the test on a free port in front of the test
PostgreSQL) lends a server connection to a client for one transaction only. A queryset
iterator's server-side cursor outlives that transaction, so when another client takes the
server connection in between, the next fetch lands on a server where the cursor does not
exist. DATABASE_TRANSACTION_POOLING turns server-side cursors off, and the same sequence
works; the rest of the ORM (transactions, row locks) works through the pooler as it is.
"""

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.conf import settings

from tests.processes import Process, child_env, database_url, free_port, run_python, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"

# Two connections of one process through the pooler: `default` walks a queryset with
# .iterator(), `other` holds a transaction open between two of its chunks.
INTERLEAVED = """
import json, django
django.setup()
from django.conf import settings
from django.db import connections, transaction
from django.contrib.auth import get_user_model
settings.DATABASES["other"] = dict(settings.DATABASES["default"])
User = get_user_model()
seen, error = [], None
try:
    rows = User.objects.order_by("pk").values_list("username", flat=True).iterator(chunk_size=1)
    seen.append(next(rows))
    with transaction.atomic(using="other"):
        with connections["other"].cursor() as cursor:
            cursor.execute("SELECT 1")
        seen += list(rows)
    with transaction.atomic():
        User.objects.select_for_update().filter(username=seen[0]).update(first_name="pooled")
except Exception as exc:
    error = f"{type(exc).__name__}: {exc}"
no_cursors = settings.DATABASES["default"].get("DISABLE_SERVER_SIDE_CURSORS", False)
print(json.dumps({"seen": seen, "error": error, "no_server_side_cursors": no_cursors}))
"""


@pytest.fixture
def pgbouncer():
    """PgBouncer in transaction mode on a free port, as the unprivileged `nobody` when run
    as root (it refuses to run as root), two server connections, LIFO reuse."""
    db = settings.DATABASES["default"]
    port = free_port()
    directory = Path(tempfile.mkdtemp(prefix="ringlet-pgbouncer-"))
    directory.chmod(0o755)
    (directory / "users.txt").write_text(f'"{db["USER"] or "postgres"}" "{db.get("PASSWORD") or ""}"\n')
    (directory / "pgbouncer.ini").write_text(
        "\n".join(
            [
                "[databases]",
                f"* = host={db.get('HOST') or '127.0.0.1'} port={db.get('PORT') or 5432}",
                "[pgbouncer]",
                "listen_addr = 127.0.0.1",
                f"listen_port = {port}",
                "unix_socket_dir =",
                "auth_type = trust",
                f"auth_file = {directory / 'users.txt'}",
                "pool_mode = transaction",
                "default_pool_size = 2",
                "server_round_robin = 0",
                "ignore_startup_parameters = extra_float_digits,options",
                "",
            ]
        )
    )
    for path in directory.iterdir():
        path.chmod(0o644)
    args = [PGBOUNCER, str(directory / "pgbouncer.ini")]
    if os.geteuid() == 0:
        args[1:1] = ["-u", "nobody"]
    process = Process(args, env=dict(os.environ), log_path=directory / "pgbouncer.log")

    def answers():
        result = subprocess.run(
            ["pg_isready", "-h", "127.0.0.1", "-p", str(port)], capture_output=True, text=True
        )
        return result.returncode == 0

    try:
        wait_for(answers, timeout=15, message=f"PgBouncer on {port}:\n{process.output()}")
        yield port
    finally:
        process.stop()
        shutil.rmtree(directory, ignore_errors=True)


def interleaved(port, pooling):
    db = dict(settings.DATABASES["default"], HOST="127.0.0.1", PORT=port)
    env = child_env(DATABASE_URL=database_url(db), DATABASE_TRANSACTION_POOLING=str(pooling))
    result = run_python(INTERLEAVED, env, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_transaction_pooling_needs_and_gets_django_without_server_side_cursors(pgbouncer, django_user_model):
    for name in ("ada", "grace", "linus"):
        django_user_model.objects.create(username=name, email=f"{name}@example.com")

    # Without the setting the cursor is gone once another client took its server connection.
    broken = interleaved(pgbouncer, pooling=False)
    assert broken["no_server_side_cursors"] is False
    assert broken["error"] and "does not exist" in broken["error"], broken

    # With it, the same sequence reads every row, and a locking update works too.
    pooled = interleaved(pgbouncer, pooling=True)
    assert pooled == {"seen": ["ada", "grace", "linus"], "error": None, "no_server_side_cursors": True}
    assert django_user_model.objects.get(username="ada").first_name == "pooled"
