"""Items, forms, workflows and cases for tests, made through the real actions."""

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from civicgrid.applications import actions
from civicgrid.applications.demo_forms import INVESTMENT_WORKFLOW
from civicgrid.applications.models import Case
from civicgrid.catalog.models import ServiceItem, ServiceMaterial

FORM = {
    "version": 1,
    "title": "测试事项申请",
    "steps": [
        {
            "key": "project",
            "title": "项目情况",
            "items": [
                {"key": "project_name", "label": "项目名称", "type": "text", "max_length": 100},
                {"key": "total", "label": "总投资", "type": "decimal", "unit": "万元", "min": 0},
                {"key": "site", "label": "建设地点", "type": "address"},
                {"key": "foreign", "label": "是否涉及外资", "type": "yesno"},
            ],
        },
        {
            "key": "foreign_investor",
            "title": "外资情况",
            "show_if": {"field": "foreign", "equals": True},
            "items": [{"key": "country", "label": "投资方国别", "type": "text"}],
        },
        {
            "key": "materials",
            "title": "申请材料",
            "items": [
                {
                    "key": "plan",
                    "label": "项目申请报告",
                    "type": "file",
                    "kinds": ["pdf", "image"],
                    "max_mb": 5,
                    "max_files": 2,
                },
            ],
        },
    ],
}

ANSWERS = {
    "project_name": "年产五万台农机装备项目",
    "total": "12500.00",
    "site": "阜城县经济开发区",
    "foreign": False,
}

# The demo's investment workflow, its certificate filled from this form's answers.
WORKFLOW = [
    *INVESTMENT_WORKFLOW[:-1],
    {
        **INVESTMENT_WORKFLOW[-1],
        "certificate_field_map": {
            "project_name": "project_name",
            "project_code": "@number",
            "construction_site": "site",
            "construction_scale": "project_name",
            "total_investment": "total",
        },
    },
]


def pdf_bytes(size: int = 0) -> bytes:
    """A small well-formed PDF, padded with a comment to `size` bytes when asked."""
    body = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n"
    )
    padding = max(0, size - len(body) - 6)
    return body + b"%" + b"0" * max(0, padding - 2) + b"\n" + b"%%EOF\n"


def pdf_upload(name: str = "报告.pdf", size: int = 0) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(size), content_type="application/pdf")


def item(
    department: Any,
    *,
    code: str = "TEST-0001",
    name: str = "企业投资项目核准",
    promised: int = 10,
    form: dict | None = None,
    workflow: list | None = None,
    certificate_materials: tuple[tuple[str, str], ...] = (),
) -> ServiceItem:
    found = ServiceItem.objects.create(
        code=code,
        name=name,
        kind="licence",
        department=department,
        legal_limit_days=max(promised, 20),
        promised_limit_days=promised,
    )
    ServiceMaterial.objects.create(item=found, name="项目申请报告", position=1)
    for position, (material, type_code) in enumerate(certificate_materials, start=2):
        ServiceMaterial.objects.create(
            item=found, name=material, position=position, certificate_type=type_code
        )
    actions.do_publish_form_definition(None, item=found, definition=form or FORM)
    actions.do_configure_workflow(None, item=found, steps=workflow or WORKFLOW)
    return found


def submit(applicant: Any, service: ServiceItem, **answers: Any) -> Case:
    files = {"plan": [pdf_upload()]}
    return actions.do_submit_case(
        applicant, item=service, answers={**ANSWERS, **answers}, files=files
    )


def advance_to(case: Case, clerk: Any, status: str) -> Case:
    """Walk a case forward with `clerk` until it reaches `status`."""
    while case.status != status:
        case = actions.do_advance_case(clerk, case=case)
    return case


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> Any:
    return SimpleUploadedFile(name, content, content_type=content_type)


def stream(content: bytes) -> io.BytesIO:
    return io.BytesIO(content)
