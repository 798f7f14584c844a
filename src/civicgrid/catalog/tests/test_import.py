"""Importing the catalogue from a spreadsheet: every problem by row and column, all or
nothing, upsert by code, the remit of who imports."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from civicgrid.catalog.actions import do_import_catalog
from civicgrid.catalog.models import CatalogVersion, ServiceItem, ServiceMaterial
from civicgrid.catalog.tests import factories as f
from civicgrid.core.audit.models import AuditRecord
from civicgrid.core.spreadsheets import SpreadsheetError

pytestmark = pytest.mark.django_db

HEADERS = [
    "事项编码", "事项名称", "事项类型", "实施部门", "实施层级/区划代码", "设定依据", "受理条件",
    "法定时限", "承诺时限", "收费", "办理渠道", "到现场次数", "网办深度", "申请材料", "人生事件",
]  # fmt: skip


def row(code="131128-FGJ-XK-001", **values):
    base = {
        "事项编码": code,
        "事项名称": "企业投资项目核准",
        "事项类型": "行政许可",
        "实施部门": "阜城县发展和改革局",
        "实施层级/区划代码": "131128",
        "设定依据": "《企业投资项目核准和备案管理条例》第三条",
        "受理条件": "属于核准目录范围内的企业投资项目",
        "法定时限": "20",
        "承诺时限": "10个工作日",
        "收费": "不收费",
        "办理渠道": "网上、窗口、邮寄",
        "到现场次数": "0",
        "网办深度": "四级",
        "申请材料": "项目申请报告；营业执照【电子证照:business_licence】；法定代表人身份证【原件】；授权委托书【非必需】",
        "人生事件": "投资建设",
    }
    base.update(values)
    return [base[h] for h in HEADERS]


def xlsx(*rows, headers=HEADERS):
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for r in rows:
        sheet.append(r)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv(*rows):
    lines = [",".join(HEADERS), *(",".join(r) for r in rows)]
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.fixture
def setup(personas):
    f.life_event("touzi", "投资建设")
    return personas


def problems(report):
    return [(p.row, p.column, p.message) for p in report.problems]


def test_a_good_file_creates_items_with_materials_and_life_events(setup):
    report = do_import_catalog(None, data=xlsx(row()), filename="items.xlsx")
    assert report.problems == [] and report.created == ["131128-FGJ-XK-001"]
    item = ServiceItem.objects.get(code="131128-FGJ-XK-001")
    assert item.department.name == "阜城县发展和改革局"
    assert (item.kind, item.legal_limit_days, item.promised_limit_days) == ("licence", 20, 10)
    assert (item.online, item.in_person, item.by_mail, item.by_phone) == (True, True, True, False)
    assert (item.online_depth, item.level, item.name_initials) == (4, 3, "qytzxmhz")
    assert [e.name for e in item.life_events.all()] == ["投资建设"]
    materials = list(
        item.materials.values_list("name", "required", "original_check", "certificate_type")
    )
    assert materials == [
        ("项目申请报告", True, False, ""),
        ("营业执照", True, False, "business_licence"),
        ("法定代表人身份证", True, True, ""),
        ("授权委托书", False, False, ""),
    ]
    assert AuditRecord.objects.filter(action="import").count() == 1


def test_importing_the_same_file_again_changes_nothing(setup):
    data = xlsx(row(), row("131128-FGJ-BA-001", 事项名称="企业投资项目备案", 事项类型="备案"))
    first = do_import_catalog(None, data=data, filename="items.xlsx")
    assert len(first.created) == 2
    stamps = dict(ServiceItem.objects.values_list("code", "updated_at"))
    material_ids = set(ServiceMaterial.objects.values_list("pk", flat=True))
    again = do_import_catalog(None, data=data, filename="items.xlsx")
    assert (again.created, again.updated, again.unchanged) == ([], [], 2)
    assert dict(ServiceItem.objects.values_list("code", "updated_at")) == stamps
    assert set(ServiceMaterial.objects.values_list("pk", flat=True)) == material_ids
    assert AuditRecord.objects.filter(action="import").count() == 1  # nothing written, no record


def test_a_changed_row_updates_its_item_and_keeps_the_others(setup):
    do_import_catalog(None, data=xlsx(row()), filename="items.xlsx")
    changed = row(承诺时限="5", 申请材料="项目申请报告；营业执照【电子证照:business_licence】")
    report = do_import_catalog(None, data=xlsx(changed), filename="items.xlsx")
    assert report.updated == ["131128-FGJ-XK-001"]
    item = ServiceItem.objects.get()
    assert item.promised_limit_days == 5
    assert list(item.materials.values_list("name", flat=True)) == ["项目申请报告", "营业执照"]


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(setup):
    report = do_import_catalog(None, data=xlsx(row()), filename="items.xlsx", dry_run=True)
    assert report.problems == [] and report.created == ["131128-FGJ-XK-001"]
    assert not ServiceItem.objects.exists()
    assert not AuditRecord.objects.filter(action="import").exists()


def test_a_dry_run_over_existing_items_tells_updated_from_unchanged_without_writing(setup):
    do_import_catalog(None, data=xlsx(row(), row("B-1"), row("C-1")), filename="a.xlsx")
    version = CatalogVersion.objects.get(pk=1).version
    changed = [
        row(承诺时限="5"),  # a field
        row("B-1", 申请材料="项目申请报告"),  # the materials
        row("C-1"),  # nothing
        row("D-1"),  # new
    ]
    report = do_import_catalog(None, data=xlsx(*changed), filename="b.xlsx", dry_run=True)
    assert (report.created, sorted(report.updated), report.unchanged) == (
        ["D-1"],
        ["131128-FGJ-XK-001", "B-1"],
        1,
    )
    real = do_import_catalog(None, data=xlsx(*changed), filename="b.xlsx")
    assert (real.created, sorted(real.updated), real.unchanged) == (
        report.created,
        sorted(report.updated),
        report.unchanged,
    )
    assert CatalogVersion.objects.get(pk=1).version != version


def test_every_problem_is_listed_by_row_and_column_and_nothing_is_written(setup):
    data = xlsx(
        row("OK-1"),
        row("BAD-KIND", 事项类型="行政审批"),
        row("LATE", 法定时限="10", 承诺时限="15"),
        row("NOWHERE", 实施部门="阜城县不存在局"),
        row("OK-1", 事项名称="重复的编码"),
        row("", 法定时限="二十天", 网办深度="五级", 办理渠道="网上、飞鸽传书"),
        row("EVENT", 人生事件="移民火星", 申请材料="营业执照【随便写】"),
        row("FEE", 收费="123456789"),
    )
    report = do_import_catalog(None, data=data, filename="items.xlsx", dry_run=True)
    found = problems(report)
    assert (3, "事项类型", found[0][2]) == found[0] and "行政审批" in found[0][2]
    assert (4, "承诺时限", "承诺时限 15 个工作日超过了法定时限 10 个工作日") in found
    assert (5, "实施部门", "找不到机构“阜城县不存在局”，请先在系统中建立该部门") in found
    assert (6, "事项编码", "与第 2 行的事项编码重复") in found
    row7 = {(c, m) for r, c, m in found if r == 7}
    assert {c for c, _m in row7} == {"事项编码", "法定时限", "网办深度", "办理渠道"}
    row8 = {c for r, c, _m in found if r == 8}
    assert row8 == {"人生事件", "申请材料"}
    assert [(c, m) for r, c, m in found if r == 9] == [("收费", "金额不能超过 99999999 元")]
    # Even without dry_run: one bad row and nothing at all is written.
    report = do_import_catalog(None, data=data, filename="items.xlsx")
    assert report.problems and not report.written
    assert not ServiceItem.objects.exists()


@pytest.mark.parametrize(
    ("data", "filename", "code"),
    [
        (b"", "items.xlsx", "empty"),
        (b"%PDF-1.4 not a sheet", "items.xlsx", "not_a_spreadsheet"),
        (b"MZ\x90\x00 an executable", "items.exe", "unsupported_type"),
        (b"just some text, not a table\x00\x01", "items.xlsx", "not_a_spreadsheet"),
        ("事项名称\n企业投资项目核准\n".encode(), "items.csv", "missing_columns"),
        (",".join(HEADERS).encode() + b"\n", "items.csv", "no_data"),
    ],
)
def test_files_that_are_not_a_catalogue_are_refused(setup, data, filename, code):
    with pytest.raises(SpreadsheetError) as refused:
        do_import_catalog(None, data=data, filename=filename)
    assert refused.value.code == code
    assert str(refused.value)  # a Chinese message for the uploader


def test_an_oversize_file_is_refused_before_reading(setup, monkeypatch):
    from civicgrid.catalog import importing

    monkeypatch.setattr(importing, "MAX_IMPORT_BYTES", 1000)
    with pytest.raises(SpreadsheetError) as refused:
        do_import_catalog(None, data=csv(*[row(f"C-{n}") for n in range(20)]), filename="a.csv")
    assert refused.value.code == "too_large"


def test_a_csv_file_reads_like_a_workbook(setup):
    report = do_import_catalog(None, data=csv(row()), filename="items.csv")
    assert report.created == ["131128-FGJ-XK-001"]


def test_a_clerk_imports_only_their_own_departments_items(setup):
    p = setup
    f.department("阜城县民政局")
    data = xlsx(
        row(), row("MZJ-1", 事项名称="临时救助", 事项类型="行政给付", 实施部门="阜城县民政局")
    )
    report = do_import_catalog(p.clerk_a, data=data, filename="items.xlsx")
    assert problems(report) == [(3, "实施部门", "您无权导入或修改“阜城县民政局”的事项")]
    assert not ServiceItem.objects.exists()
    ok = do_import_catalog(p.clerk_a, data=xlsx(row()), filename="items.xlsx")
    assert ok.created == ["131128-FGJ-XK-001"]
    # 景县's clerk can neither import for 阜城县 nor take over 阜城县's item by its code.
    other = do_import_catalog(p.clerk_b, data=xlsx(row()), filename="items.xlsx")
    assert [c for _r, c, _m in problems(other)] == ["实施部门"]
    moved = row(实施部门="景县发展和改革局", **{"实施层级/区划代码": "131127"})
    taken = do_import_catalog(p.clerk_b, data=xlsx(moved), filename="items.xlsx")
    assert problems(taken) == [(2, "实施部门", "您无权导入或修改“景县发展和改革局”的事项")]
    assert ServiceItem.objects.get().department.name == "阜城县发展和改革局"


def test_the_management_command_imports_and_reports_problems(setup, tmp_path, capsys):
    good = tmp_path / "items.xlsx"
    good.write_bytes(xlsx(row()))
    call_command("import_catalog", str(good), "--check")
    assert not ServiceItem.objects.exists()
    call_command("import_catalog", str(good))
    assert ServiceItem.objects.count() == 1
    assert "导入完成" in capsys.readouterr().out
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx(row("X-1", 事项类型="乱写")))
    with pytest.raises(CommandError, match="未导入任何事项"):
        call_command("import_catalog", str(bad))
    assert "第 2 行「事项类型」" in capsys.readouterr().err
    with pytest.raises(CommandError, match="无法读取"):
        call_command("import_catalog", str(tmp_path / "missing.xlsx"))


def test_the_command_acts_as_an_active_actor_with_a_bar_and_a_report(setup, tmp_path, capsys):
    p = setup
    sheet = tmp_path / "items.xlsx"
    sheet.write_bytes(
        xlsx(row(), row("JX-1", 实施部门="景县发展和改革局", **{"实施层级/区划代码": "131127"}))
    )
    with pytest.raises(CommandError, match="找不到启用的用户 nobody"):
        call_command("import_catalog", str(sheet), "--actor", "nobody")
    type(p.clerk_b).objects.filter(pk=p.clerk_b.pk).update(is_active=False)
    with pytest.raises(CommandError, match="找不到启用的用户 clerk_b"):
        call_command("import_catalog", str(sheet), "--actor", "clerk_b")
    report = tmp_path / "problems.xlsx"
    with pytest.raises(CommandError, match="1 处问题"):
        call_command("import_catalog", str(sheet), "--actor", "clerk_a", "--report", str(report))
    err = capsys.readouterr().err
    assert "100%  4/4" in err  # the bar's last line (not a terminal: one line per tenth)
    assert "第 3 行「实施部门」：您无权导入或修改“景县发展和改革局”的事项" in err
    from openpyxl import load_workbook

    lines = list(load_workbook(report).active.iter_rows(values_only=True))
    assert lines[1][:4] == (3, "JX-1", "企业投资项目核准", "实施部门")
    assert not ServiceItem.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_the_same_new_items_at_once_leave_one_copy_and_no_error():
    import threading

    from django.db import connection

    from civicgrid.conftest import ensure_test_divisions

    ensure_test_divisions()
    f.department("阜城县发展和改革局")
    f.life_event("touzi", "投资建设")
    data = xlsx(*(row(f"RACE-{n}") for n in range(30)))
    start = threading.Barrier(2)
    reports, failures = [], []

    def run():
        try:
            start.wait()
            reports.append(do_import_catalog(None, data=data, filename="race.xlsx"))
        except BaseException as exc:  # reported below; a thread must not die silently
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert ServiceItem.objects.count() == 30
    assert ServiceMaterial.objects.count() == 30 * 4
    created = sorted(len(r.created) for r in reports)
    # SQLite serialises the two (the second finds everything unchanged); PostgreSQL may let the
    # second collide, which reports a problem and writes nothing.
    assert created == [0, 30]
    loser = next(r for r in reports if not r.created)
    assert loser.unchanged == 30 or "同时写入" in loser.problems[0].message
