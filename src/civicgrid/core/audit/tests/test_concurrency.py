"""Concurrent writers queue on the chain head instead of forking the chain.

On PostgreSQL appends lock the chain-head row (SELECT ... FOR UPDATE); on SQLite the IMMEDIATE
transaction every write starts with holds the database's single write lock. The first test
runs against the test database with two threads; the second runs two processes against a
SQLite file set up exactly as `make run` sets it up (WAL, busy timeout, IMMEDIATE). The thread
test is skipped only when the SQLite test database is in memory (a run without `-n`), which
answers a second writer with "table is locked" at once instead of waiting; under `make test`
it is a file and the thread test runs on SQLite too.
"""

import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection

from civicgrid.core.audit.actions import record_audit
from civicgrid.core.audit.chain import GENESIS_HASH
from civicgrid.core.audit.choices import AuditAction
from civicgrid.core.audit.models import AuditChainHead, AuditRecord
from civicgrid.core.audit.verification import verify_chain

PER_WRITER = 20


def _is_in_memory_sqlite() -> bool:
    return connection.vendor == "sqlite" and connection.is_in_memory_db()


@pytest.mark.django_db(transaction=True)
def test_two_threads_appending_at_once_keep_the_chain_linear():
    if _is_in_memory_sqlite():
        pytest.skip("in-memory SQLite refuses a second writer instead of queueing; see below")
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            start.wait()
            for i in range(PER_WRITER):
                record_audit(actor=None, actor_label=name, action=AuditAction.EXPORT, reason=str(i))
        except BaseException as exc:  # reported below; a thread must not die silently
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(f"task:{n}",)) for n in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    records = list(AuditRecord.objects.order_by("seq"))
    assert [r.seq for r in records] == list(range(1, 2 * PER_WRITER + 1))
    assert [r.prev_hash for r in records] == [GENESIS_HASH] + [r.hash for r in records[:-1]]
    labels = sorted(r.actor_label for r in records)
    assert labels == ["task:a"] * PER_WRITER + ["task:b"] * PER_WRITER
    head = AuditChainHead.objects.get()
    assert (head.seq, head.hash) == (records[-1].seq, records[-1].hash)
    assert verify_chain().broken is None


WRITER = """
import sys, time
from pathlib import Path
import django
django.setup()
from civicgrid.core.audit.actions import record_audit
name, go, count = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
Path(f"{go}.{name}.ready").touch()
while not go.exists():
    time.sleep(0.002)
for i in range(count):
    record_audit(actor=None, actor_label=name, action="export", reason=str(i))
"""


def test_two_processes_appending_to_one_sqlite_file_keep_the_chain_linear(tmp_path: Path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'audit.sqlite3'}",
        "CIVICGRID_DATA_DIR": str(tmp_path),
        "CIVICGRID_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "civicgrid.settings",
    }
    django_admin = [sys.executable, "-m", "django"]
    # The commands are fixed lists run with our own interpreter: no shell, no outside input.
    subprocess.run([*django_admin, "migrate", "-v0"], env=env, check=True)  # noqa: S603
    go = tmp_path / "go"
    writers = [
        subprocess.Popen(  # noqa: S603
            [sys.executable, "-c", WRITER, f"process:{n}", str(go), str(PER_WRITER)], env=env
        )
        for n in ("a", "b")
    ]
    # Both processes start appending at the same moment, once both have set Django up.
    deadline = time.monotonic() + 60
    while not all(go.with_name(f"go.process:{n}.ready").exists() for n in ("a", "b")):
        assert time.monotonic() < deadline, "the writer processes did not start"
        time.sleep(0.01)
    go.touch()
    assert [writer.wait(timeout=120) for writer in writers] == [0, 0]

    with sqlite3.connect(tmp_path / "audit.sqlite3") as db:
        rows = db.execute(
            "SELECT seq, prev_hash, hash FROM audit_auditrecord ORDER BY seq"
        ).fetchall()
    assert [seq for seq, _, _ in rows] == list(range(1, 2 * PER_WRITER + 1))
    assert [prev for _, prev, _ in rows] == [GENESIS_HASH] + [h for _, _, h in rows[:-1]]
    verify = subprocess.run(  # noqa: S603
        [*django_admin, "verify_audit_chain", "--no-progress"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert verify.returncode == 0, verify.stderr
    assert f"共 {2 * PER_WRITER} 条记录" in verify.stdout
