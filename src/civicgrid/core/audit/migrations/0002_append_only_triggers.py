"""Triggers that make the database itself refuse to change audit records.

PostgreSQL: UPDATE and DELETE are refused. TRUNCATE is not: Django's test runner empties every
table with TRUNCATE between transactional tests, and TRUNCATE needs the table owner's rights
anyway. In production the application's role should hold only SELECT and INSERT on
audit_auditrecord, so that neither it nor anyone who steals its password can drop the trigger.

SQLite: UPDATE only. A DELETE trigger would break Django's test flush (plain DELETE FROM on
every table); deletions are caught by the hash chain and the chain head instead.

SQLite rebuilds a table (and drops its triggers) when a later migration alters it: any such
migration must re-run `install` below. test_append_only checks the triggers are present.
"""

from django.db import migrations

POSTGRESQL_INSTALL = [
    """
    CREATE OR REPLACE FUNCTION audit_auditrecord_reject_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit records are append-only: % refused', TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$
    """,
    "DROP TRIGGER IF EXISTS audit_auditrecord_append_only ON audit_auditrecord",
    """
    CREATE TRIGGER audit_auditrecord_append_only
        BEFORE UPDATE OR DELETE ON audit_auditrecord
        FOR EACH ROW EXECUTE FUNCTION audit_auditrecord_reject_change()
    """,
]
POSTGRESQL_UNINSTALL = [
    "DROP TRIGGER IF EXISTS audit_auditrecord_append_only ON audit_auditrecord",
    "DROP FUNCTION IF EXISTS audit_auditrecord_reject_change()",
]
SQLITE_INSTALL = [
    "DROP TRIGGER IF EXISTS audit_auditrecord_no_update",
    """
    CREATE TRIGGER audit_auditrecord_no_update BEFORE UPDATE ON audit_auditrecord
    BEGIN
        SELECT RAISE(ABORT, 'audit records are append-only: UPDATE refused');
    END
    """,
]
SQLITE_UNINSTALL = ["DROP TRIGGER IF EXISTS audit_auditrecord_no_update"]

STATEMENTS = {
    "postgresql": (POSTGRESQL_INSTALL, POSTGRESQL_UNINSTALL),
    "sqlite": (SQLITE_INSTALL, SQLITE_UNINSTALL),
}


def install(apps, schema_editor):
    install_sql, _ = STATEMENTS.get(schema_editor.connection.vendor, ([], []))
    for statement in install_sql:
        schema_editor.execute(statement, params=None)


def uninstall(apps, schema_editor):
    _, uninstall_sql = STATEMENTS.get(schema_editor.connection.vendor, ([], []))
    for statement in uninstall_sql:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
