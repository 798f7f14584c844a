"""The certificate types the platform ships with (administrators add more in the admin)."""

from django.db import migrations

TYPES = [
    (
        "business_licence",
        "营业执照",
        "enterprise",
        "department",
        None,
        [
            ["enterprise_type", "类型"],
            ["legal_representative", "法定代表人"],
            ["registered_capital", "注册资本"],
            ["established_on", "成立日期"],
            ["address", "住所"],
            ["business_scope", "经营范围"],
        ],
    ),
    (
        "investment_project_approval",
        "企业投资项目核准批复",
        "enterprise",
        "department",
        730,
        [
            ["project_name", "项目名称"],
            ["project_code", "项目代码"],
            ["construction_site", "建设地点"],
            ["construction_scale", "建设规模及内容"],
            ["total_investment", "总投资"],
        ],
    ),
    (
        "investment_project_record",
        "企业投资项目备案证明",
        "enterprise",
        "department",
        730,
        [
            ["project_name", "项目名称"],
            ["project_code", "项目代码"],
            ["construction_site", "建设地点"],
            ["total_investment", "总投资"],
        ],
    ),
    (
        "resumption_approval",
        "复工复产备案回执",
        "enterprise",
        "department",
        90,
        [
            ["resumption_date", "复工日期"],
            ["employees_returning", "返岗人数"],
            ["prevention_measures", "防控措施"],
        ],
    ),
    (
        "invoice_quota",
        "发票增量核定通知",
        "enterprise",
        "tax_office",
        365,
        [
            ["invoice_kind", "发票种类"],
            ["monthly_quantity", "每月最高领用数量"],
            ["max_amount", "单份发票最高开票限额"],
        ],
    ),
    (
        "flexible_employment_record",
        "灵活就业登记证明",
        "resident",
        "department",
        365,
        [
            ["employment_form", "就业形式"],
            ["registered_on", "登记日期"],
        ],
    ),
]


def add_types(apps, schema_editor):
    CertificateType = apps.get_model("certificates", "CertificateType")
    for code, name, holder_kind, issuer_type, days, labels in TYPES:
        CertificateType.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "holder_kind": holder_kind,
                "issuer_type": issuer_type,
                "default_valid_days": days,
                "field_labels": labels,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("certificates", "0001_initial")]

    operations = [migrations.RunPython(add_types, migrations.RunPython.noop)]
