"""Certificates for tests, issued through the real action (so every one is really signed)."""

import datetime
from typing import Any

from civicgrid.certificates.actions import do_issue_certificate
from civicgrid.certificates.models import Certificate
from civicgrid.core.idcard import make_id_number
from civicgrid.core.testing import ENTERPRISE_A_CREDIT_CODE

RESIDENT_A_ID = make_id_number("131128", datetime.date(1988, 5, 17), 123)
RESIDENT_B_ID = make_id_number("131127", datetime.date(1990, 2, 3), 45)

APPROVAL_FIELDS = {
    "project_name": "年产 5000 台农机装备生产线技术改造项目",
    "project_code": "2611-131128-04-01-000123",
    "construction_site": "阜城县经济开发区",
    "construction_scale": "新建厂房 12000 平方米，购置数控设备 86 台（套）",
    "total_investment": "18600 万元",
}


def approval(personas: Any, **overrides: Any) -> Certificate:
    """An investment-project approval by 阜城县发改局 (clerk_a) for enterprise A."""
    arguments: dict[str, Any] = {
        "type_code": "investment_project_approval",
        "holder_organisation": personas.organisations["enterprise_a"],
        "subject_name": "阜城县示例机械制造有限公司",
        "subject_number": ENTERPRISE_A_CREDIT_CODE,
        "fields": dict(APPROVAL_FIELDS),
        "source": "application:CG202611270001",
    }
    arguments.update(overrides)
    return do_issue_certificate(personas.clerk_a, **arguments)


def employment_record(personas: Any, holder: str = "resident_a", **overrides: Any) -> Certificate:
    """A resident's flexible-employment record by clerk_a's department."""
    arguments: dict[str, Any] = {
        "type_code": "flexible_employment_record",
        "holder_user": getattr(personas, holder),
        "subject_name": "张示例" if holder == "resident_a" else "李示例",
        "subject_number": RESIDENT_A_ID if holder == "resident_a" else RESIDENT_B_ID,
        "fields": {"employment_form": "个体经营", "registered_on": "2026-11-20"},
    }
    arguments.update(overrides)
    return do_issue_certificate(personas.clerk_a, **arguments)
