"""Concurrent revocations: each on its own thread and database connection; exactly one wins."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from civicgrid.certificates.actions import do_revoke_certificate
from civicgrid.certificates.models import Certificate
from civicgrid.certificates.tests import factories as f
from civicgrid.core.audit.models import AuditRecord
from civicgrid.core.notifications.models import Notification

RACERS = 8


@pytest.mark.django_db(transaction=True)
def test_only_one_of_concurrent_revocations_wins(personas):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("in-memory SQLite refuses a second writer instead of queueing (run with -n)")
    certificate_id = f.approval(personas).pk
    start = threading.Barrier(RACERS)
    won: list[str] = []
    lost: list[str] = []
    crashed: list[BaseException] = []

    def revoke(n: int) -> None:
        try:
            certificate = Certificate.objects.get(pk=certificate_id)
            start.wait(timeout=60)
            do_revoke_certificate(personas.clerk_a, certificate=certificate, reason=f"原因 {n}")
            won.append(f"原因 {n}")
        except ValidationError as exc:
            lost.append(exc.messages[0])
        except BaseException as exc:  # reported below; a thread must not die silently
            start.abort()
            crashed.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=revoke, args=(n,)) for n in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert crashed == []
    assert len(won) == 1
    assert lost == ["该证照已经撤销。"] * (RACERS - 1)
    assert Certificate.objects.get().revocation_reason == won[0]
    revocations = AuditRecord.objects.filter(
        target_id=str(certificate_id), details__change="revoke"
    )
    assert revocations.count() == 1
    assert Notification.objects.filter(template_code="certificate_revoked").count() == 1
