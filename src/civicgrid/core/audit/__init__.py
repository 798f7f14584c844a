"""The audit trail: append-only, hash-chained records of who did what to which record.

Public API (everything else is internal):

- `actions.record_audit(...)`: append one record inside the caller's transaction.
- `actions.record_audit_now(...)`: append one record in its own, immediately committed
  transaction (denied access, failed sign-in: events that must survive a rollback).
- `choices.AuditAction`: what was done; `choices.READ_ACTIONS`: the reads a resident sees on
  "谁查看了我的数据".
- `manage.py verify_audit_chain`: walks the chain and reports the first broken link.
"""
