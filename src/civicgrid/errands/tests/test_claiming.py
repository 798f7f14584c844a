"""Claiming: exactly one volunteer wins, however many tap at once; the others are told why."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from civicgrid.accounts.actions import do_create_organisation
from civicgrid.accounts.choices import OrganisationType
from civicgrid.core.audit.models import AuditRecord
from civicgrid.errands.actions import do_cancel_errand, do_claim_errand
from civicgrid.errands.models import Errand, ErrandEvent
from civicgrid.errands.tests import factories as f
from civicgrid.regions.models import Division

CLAIMERS = 50


@pytest.mark.django_db
def test_a_volunteer_of_the_community_claims_an_open_need(personas):
    errand = f.open_errand(personas.resident_a)
    claimed = do_claim_errand(personas.volunteer_a, errand=errand)
    assert (claimed.status, claimed.volunteer) == ("claimed", personas.volunteer_a)
    assert claimed.claimed_at is not None
    assert [e.kind for e in claimed.events.all()] == ["posted", "claimed"]


@pytest.mark.django_db
def test_a_claim_on_an_errand_already_claimed_is_refused_in_plain_words(personas):
    errand = f.claimed_errand(personas.resident_a, personas.volunteer_a)
    second = f.volunteer("volunteer_a2", personas.organisations["volunteers_a1"])
    with pytest.raises(ValidationError) as caught:
        do_claim_errand(second, errand=errand)
    assert caught.value.message_dict == {"status": ["手慢了：该需求已被其他志愿者认领"]}
    with pytest.raises(ValidationError) as caught:
        do_claim_errand(personas.volunteer_a, errand=errand)
    assert caught.value.message_dict == {"status": ["您已认领该需求"]}
    assert Errand.objects.get().volunteer == personas.volunteer_a


@pytest.mark.django_db
def test_a_claim_on_a_cancelled_errand_is_refused(personas):
    errand = f.open_errand(personas.resident_a)
    do_cancel_errand(personas.resident_a, errand=errand, reason="邻居帮我买了")
    with pytest.raises(ValidationError) as caught:
        do_claim_errand(personas.volunteer_a, errand=errand)
    assert caught.value.message_dict == {"status": ["该需求已取消，不能认领"]}
    assert Errand.objects.get().volunteer is None


@pytest.mark.django_db
def test_a_volunteer_of_another_community_cannot_claim(personas):
    team_b = do_create_organisation(
        name="新城社区志愿者队",
        type=OrganisationType.VOLUNTEER_TEAM,
        division=Division.objects.get(code=f.COMMUNITY_B1),
    )
    outsider = f.volunteer("volunteer_b", team_b)
    errand = f.open_errand(personas.resident_a)
    with pytest.raises(ValidationError) as caught:
        do_claim_errand(outsider, errand=errand)
    assert caught.value.message_dict == {"errand": ["该需求不在您所在志愿者队伍的社区，不能认领"]}
    with pytest.raises(ValidationError):
        do_claim_errand(personas.grid_worker_a1, errand=errand)  # not a volunteer at all
    assert Errand.objects.get().status == "open"
    assert not ErrandEvent.objects.filter(kind="claimed").exists()


@pytest.mark.django_db
def test_other_volunteers_stop_seeing_a_need_once_it_is_claimed(personas):
    second = f.volunteer("volunteer_a2", personas.organisations["volunteers_a1"])
    errand = f.open_errand(personas.resident_a)
    assert list(Errand.objects.visible_to(second)) == [errand]
    do_claim_errand(personas.volunteer_a, errand=errand)
    assert list(Errand.objects.visible_to(second)) == []
    assert list(Errand.objects.visible_to(personas.volunteer_a)) == [errand]
    assert list(Errand.objects.visible_to(personas.resident_b)) == []


@pytest.mark.django_db(transaction=True)
def test_only_one_of_fifty_concurrent_claims_wins(personas):
    """50 volunteers, each on their own thread and database connection, tap "claim" at the same
    moment: one wins, 49 are told it is taken; one claim in the history and the audit trail."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("in-memory SQLite refuses a second writer instead of queueing (run with -n)")
    team = personas.organisations["volunteers_a1"]
    volunteers = [f.volunteer(f"racer_{n:02d}", team) for n in range(CLAIMERS)]
    errand_id = f.open_errand(personas.resident_a).pk
    start = threading.Barrier(CLAIMERS)
    won: list[int] = []
    lost: list[str] = []
    crashed: list[BaseException] = []

    def claim(volunteer) -> None:  # type: ignore[no-untyped-def]
        try:
            errand = Errand.objects.get(pk=errand_id)  # opens this thread's own connection
            start.wait(timeout=60)
            do_claim_errand(volunteer, errand=errand)
            won.append(volunteer.pk)
        except ValidationError as exc:
            lost.append(exc.messages[0])
        except BaseException as exc:  # reported below; a thread must not die silently
            start.abort()  # release the others instead of leaving them at the barrier
            crashed.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(v,)) for v in volunteers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert crashed == []
    assert len(won) == 1
    assert lost == ["手慢了：该需求已被其他志愿者认领"] * (CLAIMERS - 1)
    errand = Errand.objects.get(pk=errand_id)
    assert (errand.status, errand.volunteer_id) == ("claimed", won[0])
    assert ErrandEvent.objects.filter(errand=errand, kind="claimed").count() == 1
    claims = AuditRecord.objects.filter(target_type="errands.errand", details__event="claimed")
    assert claims.count() == 1
