"""Demo certificates for the demo enterprise and a demo resident, through the real actions.

阜城县发展和改革局 (development_clerk) issues the enterprise an investment-project approval, a
project record and a resumption receipt; 阜城县税务局 (tax_clerk) an invoice-quota notice; the
development bureau also gives resident_1 a flexible-employment record. One earlier record is
revoked, one certificate has been shared, verified and used by the tax office, so every page
has something to show. Idempotent: does nothing once its certificates exist (marked with the
source `demo:certificates`, so certificates other demos issue do not count).
Needs `accounts.demo.do_load_demo_accounts()` first (returns 0 without its accounts).
"""

from django.db import transaction

from civicgrid.accounts.choices import OrganisationType
from civicgrid.accounts.models import Organisation, User
from civicgrid.certificates import actions, verification
from civicgrid.certificates.choices import VerificationChannel
from civicgrid.certificates.documents import code_of
from civicgrid.certificates.models import Certificate

ENTERPRISE_NAME = "阜城县示范农机制造有限公司"
SOURCE = "demo:certificates"


def _enterprise_certificates() -> list[tuple[str, dict[str, str]]]:
    return [
        (
            "investment_project_approval",
            {
                "project_name": "年产 3000 台智能农机装备扩建项目",
                "project_code": "2611-131128-04-01-100231",
                "construction_site": "阜城县经济开发区创业路东段",
                "construction_scale": "新建装配车间 15000 平方米，购置焊接机器人等设备 120 台（套）",
                "total_investment": "26800 万元",
            },
        ),
        (
            "investment_project_record",
            {
                "project_name": "厂区屋顶分布式光伏发电项目",
                "project_code": "2611-131128-89-05-100877",
                "construction_site": "阜城县经济开发区创业路东段（厂区内）",
                "total_investment": "620 万元",
            },
        ),
        (
            "resumption_approval",
            {
                "resumption_date": "2026-02-17",
                "employees_returning": "186 人",
                "prevention_measures": "每日两次体温检测、车间分区错峰作业、食堂分餐、每日消毒并登记",
            },
        ),
    ]


def do_load_demo_certificates() -> int:
    """Issue the demo certificates; returns how many were issued (0 the second time)."""
    enterprise = Organisation.objects.filter(
        name=ENTERPRISE_NAME, type=OrganisationType.ENTERPRISE
    ).first()
    development = User.objects.filter(username="development_clerk").first()
    tax = User.objects.filter(username="tax_clerk").first()
    resident = User.objects.filter(username="resident_1").first()
    if None in (enterprise, development, tax, resident):
        return 0
    if Certificate.objects.filter(source=SOURCE).exists():
        return 0
    issued: list[Certificate] = []
    with transaction.atomic():
        for type_code, fields in _enterprise_certificates():
            issued.append(
                actions.do_issue_certificate(
                    development,
                    type_code=type_code,
                    holder_organisation=enterprise,
                    subject_name=enterprise.name,
                    subject_number=enterprise.credit_code,
                    fields=fields,
                    source=SOURCE,
                )
            )
        issued.append(
            actions.do_issue_certificate(
                tax,
                type_code="invoice_quota",
                holder_organisation=enterprise,
                subject_name=enterprise.name,
                subject_number=enterprise.credit_code,
                fields={
                    "invoice_kind": "增值税专用发票",
                    "monthly_quantity": "50 份",
                    "max_amount": "十万元",
                },
                source=SOURCE,
            )
        )
        record = {"employment_form": "个体经营（农机维修）", "registered_on": "2026-03-02"}
        for reason in ("登记日期填写有误，已重新签发", None):
            certificate = actions.do_issue_certificate(
                development,
                type_code="flexible_employment_record",
                holder_user=resident,
                subject_name=resident.full_name,
                subject_number=resident.id_number.reveal(),
                fields=record,
                source=SOURCE,
            )
            issued.append(certificate)
            if reason:
                actions.do_revoke_certificate(development, certificate=certificate, reason=reason)
                record = {**record, "registered_on": "2026-03-12"}
        approval = issued[0]
        agent = User.objects.filter(
            memberships__organisation=enterprise, memberships__is_active=True
        ).first()
        if agent is not None:
            actions.do_share_certificate(agent, certificate=approval, hours="168")
        verification.check(code_of(approval), channel=VerificationChannel.PAGE)
        actions.do_record_certificate_use(
            tax, certificate=approval, purpose="企业所得税优惠备案，免交项目核准批复"
        )
    return len(issued)
