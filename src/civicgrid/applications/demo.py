"""Demo applications (development only): forms and workflows for the catalogue's demo items of
企业投资项目核准, 发票领用增量 and 企业复工复产申报, and a handful of cases of the demo
enterprise in various states, all through the real actions.

Needs `accounts.demo` (the demo enterprise, `development_clerk`, `tax_clerk`) and
`catalog.demo` first; `certificates.demo` is optional. Items missing from the catalogue are
skipped. Idempotent: forms and workflows are republished only when they changed, and cases
are made only while the demo enterprise has none.
"""

import datetime
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from faker import Faker

from civicgrid.accounts.models import Organisation, User
from civicgrid.applications import actions
from civicgrid.applications.choices import CaseStatus, DeliveryMethod
from civicgrid.applications.demo_forms import DEMO_ITEMS
from civicgrid.applications.models import Case
from civicgrid.catalog.models import ServiceItem

COUNTY = "131128000000"
ENTERPRISE_NAME = "阜城县示范农机制造有限公司"


def _pdf(name: str) -> SimpleUploadedFile:
    body = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def demo_items() -> dict[str, ServiceItem]:
    """The catalogue's demo items this module configures, by name (those present)."""
    found = ServiceItem.objects.filter(name__in=list(DEMO_ITEMS), division_code=COUNTY)
    return {item.name: item for item in found.order_by("code")}


def do_configure_demo_items() -> int:
    """Publish the demo forms and workflows (unchanged ones are left as they are)."""
    items = demo_items()
    for name, item in items.items():
        form, workflow = DEMO_ITEMS[name]
        actions.do_publish_form_definition(None, item=item, definition=form)
        actions.do_configure_workflow(None, item=item, steps=workflow)
    return len(items)


def _ensure_business_licence(clerk: User, enterprise: Organisation) -> None:
    """Investment approval takes the business licence from the e-certificate library; give the
    demo enterprise one if the certificates demo did not."""
    from civicgrid.certificates.actions import do_issue_certificate
    from civicgrid.certificates.selectors import certificates_held_by

    if certificates_held_by(organisation=enterprise, type_code="business_licence").exists():
        return
    do_issue_certificate(
        clerk,
        type_code="business_licence",
        holder_organisation=enterprise,
        subject_name=enterprise.name,
        subject_number=enterprise.credit_code,
        fields={
            "enterprise_type": "有限责任公司（自然人投资或控股）",
            "legal_representative": Faker("zh_CN").name(),
            "registered_capital": "伍佰万元整",
            "established_on": "2012-05-18",
            "address": "阜城县经济开发区创业路 18 号",
            "business_scope": "农业机械制造、销售及维修",
        },
        source="demo",
    )


def _investment_answers(fake: Faker, n: int) -> dict[str, Any]:
    return {
        "project_name": [
            "年产 2000 台玉米收获机技术改造项目",
            "智能灌溉设备生产线扩建项目",
            "农机零部件精密铸造项目",
        ][n % 3],
        "nature": ["改建", "扩建", "新建"][n % 3],
        "industry": "装备制造",
        "site": "阜城县经济开发区创业路东段",
        "scale": "新建联合厂房 12000 平方米，购置数控加工中心等设备 86 台（套）",
        "total": ["8600.00", "12500.00", "5300.00"][n % 3],
        "foreign": False,
        "land_area": "45.60",
        "new_land": n % 2 == 0,
        **({"land_opinion_no": f"阜自然资预〔2026〕{11 + n}号"} if n % 2 == 0 else {}),
        "energy": "1850.00",
        "contacts": [{"name": fake.name(), "mobile": f"1390318{n:04d}", "duty": "项目负责人"}],
    }


def do_load_demo_applications() -> int:
    """Configure the demo items and make a handful of cases; returns the cases made."""
    if not do_configure_demo_items():
        return 0
    enterprise = Organisation.objects.filter(name=ENTERPRISE_NAME).first()
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=("enterprise_agent", "development_clerk", "tax_clerk")
        )
    }
    if enterprise is None or len(users) < 3:
        return 0
    if Case.objects.filter(applicant_organisation=enterprise).exists():
        return 0
    agent, clerk, tax_clerk = (
        users["enterprise_agent"],
        users["development_clerk"],
        users["tax_clerk"],
    )
    fake = Faker("zh_CN")
    fake.seed_instance(20200210)
    items = demo_items()
    made = 0
    if (item := items.get("企业投资项目核准")) is not None:
        _ensure_business_licence(clerk, enterprise)
        for n, state in enumerate(("submitted", "awaiting_material", "completed")):
            files = {
                "report": [_pdf("项目申请报告.pdf")],
                "site_opinion": [_pdf("用地预审意见.pdf")],
            }
            case = actions.do_submit_case(
                agent, item=item, answers=_investment_answers(fake, n), files=files
            )
            made += 1
            if state == "awaiting_material":
                case = actions.do_advance_case(clerk, case=case, note="材料基本齐全")
                actions.do_request_material(
                    clerk, case=case, items=["节能审查意见"], note="请补充节能审查意见后继续审查"
                )
            elif state == "completed":
                while case.status != CaseStatus.APPROVED:
                    case = actions.do_advance_case(clerk, case=case)
                case = actions.do_complete_case(
                    clerk, case=case, method=DeliveryMethod.E_CERTIFICATE
                )
                actions.do_rate_case(agent, case=case, rating=5, comment="全程网办，没跑一次腿")
    if (item := items.get("企业复工复产申报")) is not None:
        for n in range(2):
            answers = {
                "resumption_date": (
                    datetime.date.today() + datetime.timedelta(days=3 + n)
                ).isoformat(),
                "employees_total": 180,
                "employees_returning": 60 + 20 * n,
                "from_outside": n == 1,
                **({"outside_count": 12} if n == 1 else {}),
                "measures": ["体温检测", "错峰上下班", "每日消毒"],
            }
            files = {
                "plan": [_pdf("疫情防控工作方案.pdf")],
                "health_register": [_pdf("员工健康排查登记表.pdf")],
            }
            case = actions.do_submit_case(agent, item=item, answers=answers, files=files)
            made += 1
            case = actions.do_advance_case(clerk, case=case)
            if n == 1:
                while case.status != CaseStatus.APPROVED:
                    case = actions.do_advance_case(clerk, case=case)
                case = actions.do_complete_case(
                    clerk,
                    case=case,
                    method=DeliveryMethod.PICKUP,
                    pickup_place="阜城县政务服务中心 8 号窗口",
                )
                actions.do_rate_case(
                    agent, case=case, rating=2, comment="现场核查约了两次才来，耽误复工"
                )
    if (item := items.get("发票领用增量")) is not None:
        answers = {
            "invoice_kind": "增值税专用发票",
            "current_quantity": 25,
            "requested_quantity": 100,
            "max_amount": "十万元",
            "resumption": True,
            "reason": "复工后订单集中交付，现有领用数量不能满足开票需要",
        }
        case = actions.do_submit_case(
            agent, item=item, answers=answers, files={"contracts": [_pdf("购销合同.pdf")]}
        )
        actions.do_advance_case(tax_clerk, case=case)
        made += 1
    return made
