"""Importing a register: upsert by ID number, households, modes, jurisdiction and the report."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from civicgrid.core.audit.models import AuditRecord
from civicgrid.core.idcard import make_id_number
from civicgrid.population.actions import do_register_person
from civicgrid.population.importing import import_people, open_source, propose_mapping
from civicgrid.population.models import Household, Person, PersonChange, PersonTagging
from civicgrid.population.tests import factories as f

pytestmark = pytest.mark.django_db

A1 = "131128100001"  # 东南关居民委员会, 阜城镇, 阜城县
A2 = "131128100002"
B1 = "131127100005"  # 景县: outside 阜城县
HEADERS = [
    "姓名",
    "身份证号",
    "联系电话",
    "社区/村代码",
    "楼栋",
    "单元",
    "门牌",
    "与户主关系",
    "标签",
    "网格",
]


def number(sequence: int, born=datetime.date(1980, 5, 1), region="131128") -> str:
    return make_id_number(region, born, sequence)


def sheet(*rows, headers=HEADERS) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode()


def run(data: bytes, actor=None, *, name="台账.csv", report_to=None, **options):
    source = open_source(file_name=name, data=data)
    return import_people(
        actor, source, mapping=propose_mapping(source.headers), report_to=report_to, **options
    )


FAMILY = (
    ["张伟", number(1), "13800000001", A1, "1号楼", "1单元", "101", "户主", "慢性病", ""],
    ["李娜", number(2, datetime.date(1982, 3, 4)), "", A1, "1号楼", "1单元", "101", "配偶", "", ""],
    [
        "张小明",
        number(3, datetime.date(2015, 9, 1)),
        "",
        A1,
        "1号楼",
        "1单元",
        "101",
        "子女",
        "儿童",
        "",
    ],
)


def snapshot():
    return (
        list(Person.objects.order_by("id").values()),
        list(Household.objects.order_by("id").values()),
        list(PersonTagging.objects.order_by("id").values()),
        PersonChange.objects.count(),
        AuditRecord.objects.count(),
    )


def test_importing_the_same_file_twice_changes_nothing_the_second_time():
    data = sheet(*FAMILY)
    first = run(data)
    assert (first.counts.created, first.counts.households_created) == (3, 1)
    before = snapshot()
    second = run(data)
    assert (second.counts.created, second.counts.updated, second.counts.unchanged) == (0, 0, 3)
    assert (second.counts.households_created, second.counts.households_updated) == (0, 0)
    assert not second.written
    assert snapshot() == before


def test_one_audit_record_is_written_per_import_with_the_counts():
    before = AuditRecord.objects.count()
    run(sheet(*FAMILY), name="东南关.csv")
    records = AuditRecord.objects.order_by("-seq")[: AuditRecord.objects.count() - before]
    assert len(records) == 1
    assert records[0].action == "import"
    assert records[0].details["source"] == "东南关.csv"
    assert records[0].details["created"] == 3
    assert records[0].division_code == A1


def test_a_household_gets_its_head_contact_number_grid_and_address():
    grid = f.grids_of(A1)[1]
    rows = [list(r) for r in FAMILY]
    rows[0][9] = grid.name
    run(sheet(*rows))
    head = Person.objects.get(name="张伟")
    home = head.household
    assert home.head == head
    assert home.contact_mobile.reveal() == "13800000001"
    assert home.address == "东南关居民委员会 1号楼 1单元 101"
    assert home.grid == grid
    assert set(home.members.values_list("grid", flat=True)) == {grid.pk}
    assert set(home.members.values_list("division_code", flat=True)) == {A1}


def test_an_imported_person_has_the_derived_fields_the_register_action_gives():
    run(sheet(["王秀英", number(5, datetime.date(1950, 3, 8)), "+86 138-0000-0005", A1, "2号楼", "", "201", "户主", "", ""]))  # fmt: skip
    imported = Person.objects.get(name="王秀英")
    home = f.household(A1, room="999")
    by_action = do_register_person(
        None, id_number=number(6, datetime.date(1950, 3, 8)), name="王秀英", household=home,
        relationship="head", mobile="13800000006",
    )  # fmt: skip
    for field in ("name_initials", "birth_date", "relationship", "residence_type", "status"):
        assert getattr(imported, field) == getattr(by_action, field), field
    assert (imported.sex, by_action.sex) == ("M", "F")  # sequences 5 and 6: odd is male
    assert (imported.mobile_last4, imported.mobile.reveal()) == ("0005", "13800000005")
    assert imported.id_number.reveal() == number(5, datetime.date(1950, 3, 8))
    assert Person.objects.filter(id_number=number(5, datetime.date(1950, 3, 8))).get() == imported


def test_a_duplicate_id_number_in_the_file_is_reported_on_the_later_row():
    rows = [*FAMILY, ["张伟伟", number(1), "", A1, "1号楼", "1单元", "102", "户主", "", ""]]
    report = run(sheet(*rows))
    assert report.counts.created == 3
    assert report.counts.error_rows == 1
    row, column, _cell, message, name = report.preview[0]
    assert (row, column, name) == (5, "id_number", "张伟伟")
    assert "与第 2 行的公民身份号码重复" in message


def test_skip_mode_imports_the_good_rows_and_lists_the_bad_ones():
    rows = [*FAMILY, ["坏行", "1.30102E+17", "", A1, "1号楼", "1单元", "103", "户主", "", ""]]
    report = run(sheet(*rows), mode="skip")
    assert report.written
    assert Person.objects.count() == 3
    assert [(p[0], p[1]) for p in report.preview] == [(5, "id_number")]


def test_all_or_nothing_refuses_the_file_and_leaves_the_database_exactly_as_it_was():
    run(sheet(FAMILY[0]))
    before = snapshot()
    rows = [
        *FAMILY,
        ["坏行", number(9)[:-1] + "0", "", A1, "1号楼", "1单元", "103", "户主", "", ""],
    ]
    if rows[-1][1] == number(9):  # the check digit happened to be 0
        rows[-1][1] = number(9)[:-1] + "1"
    report = run(sheet(*rows), mode="all_or_nothing")
    assert report.refused and not report.written
    assert report.counts.error_rows == 1
    assert snapshot() == before


def test_all_or_nothing_writes_everything_when_every_row_is_good():
    report = run(sheet(*FAMILY), mode="all_or_nothing")
    assert report.written and Person.objects.count() == 3


def test_a_dry_run_reports_what_would_happen_and_writes_nothing():
    before = snapshot()
    report = run(sheet(*FAMILY), dry_run=True)
    assert (report.counts.created, report.counts.households_created) == (3, 1)
    assert "将新增 3 人" in report.summary()
    assert snapshot() == before


def test_rows_group_into_households_by_the_heads_id_number():
    head = number(11)
    headers = ["姓名", "身份证号", "社区/村代码", "户主身份证号", "与户主关系"]
    rows = [
        ["赵大", head, A1, head, ""],
        ["钱二", number(12), A1, head, "配偶"],
        ["孙三", number(13), A1, number(14), ""],  # the head of another household, not in the file
    ]
    report = run(sheet(*rows, headers=headers), place_code=A1)
    assert report.counts.households_created == 2
    zhao = Person.objects.get(name="赵大")
    assert zhao.relationship == "head" and zhao.household.head == zhao
    assert Person.objects.get(name="钱二").household == zhao.household
    assert Person.objects.get(name="孙三").household != zhao.household


def test_a_second_head_in_one_household_is_refused_naming_the_first():
    rows = [list(r) for r in FAMILY]
    rows[1][7] = "户主"
    report = run(sheet(*rows))
    assert report.counts.error_rows == 1
    row, column, _cell, message, _name = report.preview[0]
    assert (row, column) == (3, "relationship")
    assert "第 2 行已是户主" in message


def test_a_row_without_any_address_or_head_is_an_error():
    headers = ["姓名", "身份证号", "社区/村代码", "门牌"]
    report = run(sheet(["周五", number(15), A1, ""], headers=headers))
    assert report.preview[0][1] == "address"
    assert "无法确定所属住户" in report.preview[0][3]


def test_a_reimport_with_another_address_moves_the_person_and_keeps_history():
    run(sheet(*FAMILY))
    old = Person.objects.get(name="张伟").household
    moved = [["张伟", number(1), "", A2, "5号楼", "", "501", "", "", ""]]
    report = run(sheet(*moved))
    assert (report.counts.updated, report.counts.households_created) == (1, 1)
    person = Person.objects.get(name="张伟")
    assert person.household != old and person.division_code == A2
    assert person.relationship == "other"  # no longer the head of the household he left
    old.refresh_from_db()
    assert old.head is None
    change = person.changes.get()
    assert (
        change.field == "household" and "1号楼" in change.old_value and "5号楼" in change.new_value
    )
    assert person.mobile.reveal() == "13800000001"  # a blank cell keeps the number


def test_a_grid_cell_moves_an_existing_household_and_all_its_members_follow():
    run(sheet(*FAMILY))
    grid = f.grids_of(A1)[1]
    rows = [[*FAMILY[0][:9], grid.name]]
    report = run(sheet(*rows))
    assert report.counts.households_updated == 1
    assert set(Person.objects.values_list("grid", flat=True)) == {grid.pk}


def test_tags_in_the_file_replace_the_persons_tags_and_a_blank_cell_keeps_them():
    run(sheet(*FAMILY))
    rows = [list(r) for r in FAMILY]
    rows[0][8] = "重点人员、残疾人"  # was 慢性病
    rows[2][8] = ""  # was 儿童: kept
    report = run(sheet(*rows))
    assert report.counts.updated == 1
    tags = {p.name: set(p.taggings.values_list("tag", flat=True)) for p in Person.objects.all()}
    assert tags == {"张伟": {"key_person", "disabled"}, "李娜": set(), "张小明": {"child"}}


def test_rows_for_a_community_outside_the_importers_jurisdiction_are_errors(personas):
    rows = [
        ["张伟", number(1), "", A1, "1号楼", "", "101", "户主", "", ""],
        ["景县人", number(2, region="131127"), "", B1, "1号楼", "", "101", "户主", "", ""],
    ]
    report = run(sheet(*rows), personas.county_a_officer)
    assert report.counts.created == 1 and report.counts.error_rows == 1
    row, column, cell, message, _name = report.preview[0]
    assert (row, column, cell) == (3, "division_code", B1)
    assert "不在您的管辖范围内" in message
    assert not Person.objects.filter(division_code=B1).exists()


def test_a_person_registered_outside_the_importers_jurisdiction_is_not_moved(personas):
    elsewhere = f.person(f.household(f.COMMUNITY_B1), "外县人")
    number_b = elsewhere.id_number.reveal()
    report = run(
        sheet(["外县人", number_b, "", A1, "1号楼", "", "101", "户主", "", ""]),
        personas.county_a_officer,
    )
    assert report.counts.error_rows == 1
    assert "管辖范围以外" in report.preview[0][3]
    elsewhere.refresh_from_db()
    assert elsewhere.division_code == f.COMMUNITY_B1


def test_a_grid_worker_may_not_import(personas):
    with pytest.raises(PermissionDenied):
        run(sheet(*FAMILY), personas.grid_worker_a1)


def test_the_error_report_lists_each_problem_with_row_column_and_reason():
    rows = [
        *FAMILY,
        ["坏行", "1.30102E+17", "+1 415 555 0100", A1, "1号楼", "1单元", "103", "户主", "", ""],
    ]
    target = io.BytesIO()
    report = run(sheet(*rows), report_to=target)
    assert report.problem_count == 2
    sheet_rows = list(openpyxl.load_workbook(target).active.iter_rows(values_only=True))
    assert sheet_rows[0][:4] == ("行号", "列", "单元格内容", "问题")
    assert [(r[0], r[1]) for r in sheet_rows[1:]] == [(5, "公民身份号码"), (5, "联系电话")]
    assert "科学计数法" in sheet_rows[1][3]
    assert "其他国家" in sheet_rows[2][3]


def test_worker_processes_apply_the_same_rules_as_one_process():
    rows = [
        [f"人员{chr(0x4E00 + i)}", number(i + 1), f"1990001{i:04d}", A1, f"{i // 4 + 1}号楼", "",
         f"{i % 4 + 1}01", "户主" if i % 4 == 0 else "子女", "", ""]
        for i in range(60)
    ]  # fmt: skip
    rows[7][1] = "1.31128E+17"
    rows[9][1] = rows[8][1]
    data = sheet(*rows)
    alone = run(data, dry_run=True, workers=1)
    parallel = run(data, dry_run=True, workers=2)
    assert alone.counts == parallel.counts
    assert alone.preview == parallel.preview
    assert parallel.counts.error_rows == 2


def test_households_written_a_slice_at_a_time_come_out_the_same(monkeypatch):
    from django.db import connection

    from civicgrid.population import bulk

    if connection.vendor != "sqlite":
        pytest.skip("only SQLite writes in slices")
    monkeypatch.setattr(bulk, "SQLITE_SLICE", 1)
    rows = [*FAMILY, ["周五", number(20), "", A1, "2号楼", "", "201", "户主", "独居老人", ""]]
    report = run(sheet(*rows))
    assert (report.counts.created, report.counts.households_created) == (4, 2)
    assert Household.objects.get(room="201").head.name == "周五"
    assert Person.objects.get(name="张小明").household.head.name == "张伟"


def test_a_large_load_on_postgresql_rebuilds_every_index_and_constraint(monkeypatch):
    from django.db import connection

    from civicgrid.population import bulk

    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL drops and re-creates indexes for large loads")

    def definitions():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename IN "
                "('population_person', 'population_household', 'population_persontagging') "
                "ORDER BY 2"
            )
            indexes = cursor.fetchall()
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid IN "
                "('population_person'::regclass, 'population_household'::regclass, "
                "'population_persontagging'::regclass) ORDER BY 1"
            )
            return indexes, cursor.fetchall()

    before = definitions()
    monkeypatch.setattr(bulk, "REBUILD_MIN_ROWS", 1)
    report = run(sheet(*FAMILY))
    assert report.written and Person.objects.count() == 3
    assert definitions() == before
    duplicate = Person.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():  # the constraint is back
        copy = Person(name="重复", birth_date=duplicate.birth_date, sex="M",
                      division_code=A1, name_initials="cf")  # fmt: skip
        copy.id_number = duplicate.id_number
        copy.save()


def test_free_text_with_tabs_backslashes_or_line_breaks_is_escaped_for_copy():
    from civicgrid.population.importing.rows import STAGING_COLUMNS, _copy_line

    plain = [1, 0, "张伟", "zw", "M", None, "enc", "hash", "130102********1234", "", "", "", "head",
             "registered", -1, "131128100001", "3号楼", "1单元", "101", None, "", 1, 7]  # fmt: skip
    assert len(plain) == len(STAGING_COLUMNS)
    line = _copy_line(tuple(plain))
    assert line.count("\t") == len(STAGING_COLUMNS) - 1 and line.endswith("\n")
    assert "\t张伟\tzw\t" in line and "\t3号楼\t1单元\t101\t" in line
    damaged = list(plain)
    damaged[2], damaged[16], damaged[18] = "张\t伟", "3\\号楼", "10\n1"
    line = _copy_line(tuple(damaged))
    assert line.count("\t") == len(STAGING_COLUMNS) - 1 and line.count("\n") == 1
    assert "\t张\\t伟\t" in line and "\t3\\\\号楼\t" in line and "\t10\\n1\t" in line
