"""The clerk's steps: receive → review → decide → complete, by the step's role and department;
requests for material, refusal, delivery; a wrong role or state is refused with nothing changed."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from civicgrid.accounts.actions import do_grant_role
from civicgrid.accounts.choices import Role
from civicgrid.accounts.models import User
from civicgrid.applications import actions
from civicgrid.applications.choices import CaseStatus, DeliveryMethod, RequestStatus
from civicgrid.applications.models import Case, CaseEvent, Delivery
from civicgrid.applications.tests import factories as f
from civicgrid.catalog.models import ServiceItem

S = CaseStatus


def _snapshot(case: Case) -> tuple:
    fresh = Case.objects.get(pk=case.pk)
    return (
        fresh.status,
        fresh.version,
        fresh.current_step_id,
        CaseEvent.objects.filter(case=case).count(),
    )


def test_a_case_walks_the_workflow_to_an_e_certificate(personas, service):
    from civicgrid.certificates.selectors import certificates_held_by

    case = f.submit(personas.enterprise_agent_a, service)
    case = actions.do_advance_case(personas.clerk_a, case=case)
    assert (case.status, case.current_step.key) == (S.IN_PROGRESS, "review")
    assert case.received_at is not None
    assert ServiceItem.objects.get(pk=service.pk).cases_total == 1
    case = actions.do_advance_case(personas.clerk_a, case=case)
    assert (case.status, case.current_step.key) == (S.IN_PROGRESS, "decide")
    case = actions.do_advance_case(personas.clerk_a, case=case)
    assert (case.status, case.current_step.key) == (S.APPROVED, "complete")
    case = actions.do_complete_case(
        personas.clerk_a, case=case, method=DeliveryMethod.E_CERTIFICATE
    )
    assert case.status == S.COMPLETED and case.finished_at is not None
    [certificate] = certificates_held_by(organisation=personas.organisations["enterprise_a"])
    assert certificate.type.code == "investment_project_approval"
    assert certificate.fields["project_name"] == f.ANSWERS["project_name"]
    assert certificate.fields["project_code"] == case.number
    assert case.delivery.certificate_id == certificate.pk
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == ["submitted", "received", "advanced", "approved", "completed"]


@pytest.mark.parametrize("who", ["clerk_b", "resident_a", "enterprise_agent_a", "county_a_officer"])
def test_a_step_acted_on_by_the_wrong_role_or_department_changes_nothing(personas, service, who):
    case = f.submit(personas.enterprise_agent_a, service)
    before = _snapshot(case)
    with pytest.raises(PermissionDenied) as caught:
        actions.do_advance_case(getattr(personas, who), case=case)
    assert "受理" in str(caught.value)
    with pytest.raises(PermissionDenied):
        actions.do_request_material(getattr(personas, who), case=case, items=["用地预审意见"])
    with pytest.raises(PermissionDenied):
        actions.do_refuse_case(getattr(personas, who), case=case, reason="材料不符合法定形式")
    assert _snapshot(case) == before


def test_a_step_in_the_wrong_state_is_refused(personas, service):
    case = f.submit(personas.enterprise_agent_a, service)
    with pytest.raises(ValidationError) as caught:
        actions.do_complete_case(
            personas.clerk_a, case=case, method=DeliveryMethod.PICKUP, pickup_place="大厅 3 号窗口"
        )
    assert "status" in caught.value.message_dict
    case = f.advance_to(case, personas.clerk_a, S.APPROVED)
    with pytest.raises(ValidationError):
        actions.do_advance_case(personas.clerk_a, case=case)
    with pytest.raises(ValidationError):
        actions.do_request_material(personas.clerk_a, case=case, items=["补充说明"])
    case = actions.do_complete_case(
        personas.clerk_a,
        case=case,
        method=DeliveryMethod.PICKUP,
        pickup_place="阜城县政务服务中心 3 号窗口",
    )
    before = _snapshot(case)
    for attempt in (
        lambda: actions.do_advance_case(personas.clerk_a, case=case),
        lambda: actions.do_refuse_case(personas.clerk_a, case=case, reason="已办结的不能再拒绝"),
    ):
        with pytest.raises(ValidationError):
            attempt()
    assert _snapshot(case) == before


def test_a_stale_copy_of_the_case_cannot_act_twice(personas, service):
    case = f.submit(personas.enterprise_agent_a, service)
    stale = Case.objects.get(pk=case.pk)
    actions.do_advance_case(personas.clerk_a, case=case)
    with pytest.raises(ValidationError) as caught:
        actions.do_refuse_case(personas.clerk_a, case=stale, reason="重复操作的理由")
    assert "已被他人处理" in caught.value.message_dict["status"][0]
    assert Case.objects.get(pk=case.pk).status == S.IN_PROGRESS


def test_refusal_needs_a_reason_and_tells_the_applicant(personas, service):
    case = f.submit(personas.enterprise_agent_a, service)
    with pytest.raises(ValidationError) as caught:
        actions.do_refuse_case(personas.clerk_a, case=case, reason=" ")
    assert "reason" in caught.value.message_dict
    case = actions.do_refuse_case(personas.clerk_a, case=case, reason="项目不符合产业政策要求")
    assert case.status == S.REFUSED and case.refusal_reason == "项目不符合产业政策要求"
    from civicgrid.core.notifications.models import Notification

    assert Notification.objects.filter(
        recipient=personas.enterprise_agent_a, template_code="application_refused"
    ).exists()


def test_mail_delivery_needs_an_address_and_a_tracking_number(personas, service):
    case = f.advance_to(
        f.submit(personas.enterprise_agent_a, service), personas.clerk_a, S.APPROVED
    )
    with pytest.raises(ValidationError) as caught:
        actions.do_complete_case(
            personas.clerk_a, case=case, method=DeliveryMethod.MAIL, recipient="李四"
        )
    assert {"address", "carrier", "tracking_number"} <= set(caught.value.message_dict)
    with pytest.raises(ValidationError) as caught:
        actions.do_complete_case(personas.clerk_a, case=case, method="fax")
    assert "method" in caught.value.message_dict
    assert Case.objects.get(pk=case.pk).status == S.APPROVED
    case = actions.do_complete_case(
        personas.clerk_a,
        case=case,
        method=DeliveryMethod.MAIL,
        recipient="李四",
        recipient_mobile="13812345678",
        address="阜城县经济开发区工业路 8 号",
        carrier="中国邮政 EMS",
        tracking_number="1190012345678",
    )
    delivery = Delivery.objects.get(case=case)
    assert (delivery.tracking_number, delivery.recipient_mobile) == ("1190012345678", "13812345678")


def test_an_e_certificate_that_cannot_be_issued_leaves_the_case_approved(personas, service):
    case = f.advance_to(f.submit(personas.resident_a, service), personas.clerk_a, S.APPROVED)
    # The step issues an enterprise certificate; a resident cannot hold it.
    with pytest.raises(ValidationError):
        actions.do_complete_case(personas.clerk_a, case=case, method=DeliveryMethod.E_CERTIFICATE)
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.status == S.APPROVED
    assert not Delivery.objects.filter(case=case).exists()


def test_a_material_request_pauses_and_supplying_resumes(personas, service):
    case = actions.do_advance_case(
        personas.clerk_a, case=f.submit(personas.enterprise_agent_a, service)
    )
    request = actions.do_request_material(
        personas.clerk_a, case=case, items=["用地预审意见", ""], note="请补充国土部门意见"
    )
    case.refresh_from_db()
    assert case.status == S.AWAITING_MATERIAL and case.paused_since is not None
    assert request.items == ["用地预审意见"]
    with pytest.raises(ValidationError):
        actions.do_advance_case(personas.clerk_a, case=case)
    with pytest.raises(PermissionDenied):
        actions.do_supply_material(personas.resident_b, case=case, files=[f.pdf_upload()])
    with pytest.raises(ValidationError) as caught:
        actions.do_supply_material(personas.enterprise_agent_a, case=case, files=[])
    assert "files" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        actions.do_supply_material(
            personas.enterprise_agent_a,
            case=case,
            files=[f.upload("意见.pdf", b"MZ" + b"\0" * 100)],
        )
    assert "files" in caught.value.message_dict
    case = actions.do_supply_material(
        personas.enterprise_agent_a,
        case=case,
        files=[f.pdf_upload("用地预审意见.pdf")],
        note="已补充",
    )
    assert case.status == S.IN_PROGRESS and case.paused_since is None
    request.refresh_from_db()
    assert request.status == RequestStatus.SUPPLIED
    assert case.attachments.filter(material_request=request).count() == 1


def _second_clerk(personas, name: str = "clerk_a2") -> User:
    user = User.objects.create_user(name, password="x", full_name=name)
    do_grant_role(
        user=user, organisation=personas.organisations["department_a"], role=Role.DEPARTMENT_CLERK
    )
    return User.objects.get(pk=user.pk)


@pytest.mark.django_db(transaction=True)
def test_of_two_clerks_acting_on_one_case_at_once_exactly_one_wins(personas, service):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("in-memory SQLite refuses a second writer instead of queueing (run with -n)")
    other = _second_clerk(personas)
    case_id = f.submit(personas.enterprise_agent_a, service).pk
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    crashed: list[BaseException] = []

    def act(clerk, run) -> None:  # type: ignore[no-untyped-def]
        try:
            case = Case.objects.select_related("current_step", "handling_department", "item").get(
                pk=case_id
            )
            barrier.wait(timeout=30)
            run(clerk, case)
            outcomes.append("won")
        except ValidationError as exc:
            outcomes.append(exc.messages[0])
        except BaseException as exc:
            barrier.abort()
            crashed.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(
            target=act, args=(personas.clerk_a, lambda u, c: actions.do_advance_case(u, case=c))
        ),
        threading.Thread(
            target=act,
            args=(
                other,
                lambda u, c: actions.do_refuse_case(u, case=c, reason="材料明显不全不予受理"),
            ),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert crashed == []
    assert sorted(outcomes) == sorted(["won", "该办件已被他人处理或状态已变化，请刷新后重试"])
    case = Case.objects.get(pk=case_id)
    assert case.status in (S.IN_PROGRESS, S.REFUSED)
    assert CaseEvent.objects.filter(case=case).exclude(kind="submitted").count() == 1
