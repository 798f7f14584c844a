"""What a register import makes of files and cells: refusals with clear messages, spreadsheet
damage caught by row and column, and damage that is repaired rather than stored."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civicgrid.core.idcard import make_id_number
from civicgrid.core.spreadsheets import SpreadsheetError
from civicgrid.population.import_forms import ImportUploadForm
from civicgrid.population.importing import (
    check_mapping,
    import_people,
    open_source,
    propose_mapping,
)
from civicgrid.population.importing.sources import csv_blocks, parse_block
from civicgrid.population.models import Person

A1 = "131128100001"
GOOD = make_id_number("131128", datetime.date(1980, 5, 1), 101)
HEADER = "姓名,身份证号,联系电话,社区/村代码,门牌,与户主关系,标签\n"


def check(data: bytes, name: str = "台账.csv", **options):
    source = open_source(file_name=name, data=data)
    return import_people(
        None, source, mapping=propose_mapping(source.headers), dry_run=True, **options
    )


def one_problem(line: str) -> tuple:
    report = check((HEADER + line + "\n").encode())
    assert len(report.preview) == 1, report.preview
    return tuple(report.preview[0][:4])


def xlsx(rows, merge: str = "") -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- files -------------------------------------------------------------------------------------


def test_an_empty_file_is_refused():
    with pytest.raises(SpreadsheetError, match="文件是空的"):
        open_source(file_name="台账.xlsx", data=b"")


def test_a_file_that_is_not_a_spreadsheet_is_refused():
    with pytest.raises(SpreadsheetError, match="PDF"):
        open_source(file_name="台账.xlsx", data=b"%PDF-1.4 ...")
    with pytest.raises(SpreadsheetError, match="不是文本表格") as caught:
        open_source(file_name="台账.csv", data=b"\x00\x01\x02binary")
    assert caught.value.code == "not_a_spreadsheet"
    with pytest.raises(SpreadsheetError, match="不支持"):
        open_source(file_name="台账.docx", data=b"hello")


def test_a_sheet_without_a_recognisable_heading_row_is_refused():
    with pytest.raises(SpreadsheetError, match="找不到表头") as caught:
        open_source(file_name="台账.csv", data="甲,乙,丙\n1,2,3\n".encode())
    assert caught.value.code == "no_header"


def test_a_heading_without_data_rows_is_refused():
    with pytest.raises(SpreadsheetError, match="只有表头"):
        open_source(file_name="台账.csv", data=HEADER.encode())


def test_a_file_of_200_mb_is_refused_before_it_is_read():
    upload = SimpleUploadedFile("台账.xlsx", b"PK")
    upload.size = 200 * 1024 * 1024
    form = ImportUploadForm(data={}, files={"file": upload})
    assert not form.is_valid()
    assert "200.0 MB" in form.errors["file"][0] and "上限" in form.errors["file"][0]


def test_a_merged_heading_is_refused():
    data = xlsx([["姓名", "身份证号", ""], ["张伟", GOOD, ""]], merge="B1:C1")
    with pytest.raises(SpreadsheetError, match="合并单元格 B1:C1") as caught:
        open_source(file_name="台账.xlsx", data=data)
    assert caught.value.code == "merged_header"


def test_merged_data_cells_take_the_value_shown_with_a_warning():
    rows = [["姓名", "身份证号", "社区/村代码", "门牌"], ["张伟", GOOD, A1, "前街1号"],
            ["李娜", make_id_number("131128", datetime.date(1981, 1, 1), 102), None, "前街2号"]]  # fmt: skip
    source = open_source(file_name="台账.xlsx", data=xlsx(rows, merge="C2:C3"))
    assert "合并单元格" in source.warnings[0] and "C2:C3" in source.warnings[0]
    assert [row.cells[2:] for row in source.rows()] == [[A1, "前街1号"], [A1, "前街2号"]]


def test_a_title_row_above_the_heading_is_skipped():
    data = ("阜城镇东南关社区人口登记表\n" + HEADER + f"张伟,{GOOD},,{A1},前街1号,户主,\n").encode()
    source = open_source(file_name="台账.csv", data=data)
    assert source.header_row == 2
    assert [row.number for row in source.rows()] == [3]


@pytest.mark.django_db
def test_gb18030_utf8_with_bom_and_tab_separated_files_read_alike():
    text = HEADER + f"张伟,{GOOD},,{A1},前街1号,户主,\n"
    for data in (text.encode("gb18030"), text.encode("utf-8-sig"),
                 text.replace(",", "\t").encode("utf-8")):  # fmt: skip
        source = open_source(file_name="台账.csv", data=data)
        assert source.headers[:2] == ["姓名", "身份证号"]
        assert [row.cells[0] for row in source.rows()] == ["张伟"]
        assert check(data).counts.created == 1


def test_csv_blocks_end_between_records_even_inside_a_quoted_multiline_cell():
    text = HEADER + "".join(f'人员{i},"多行\n住址{i}",x\n' for i in range(50))
    blocks = list(csv_blocks(io.BytesIO(text.encode()), size=64))
    rows = [item for block in blocks for item in parse_block(block, "utf-8", ",")]
    assert len(rows) == 51
    assert rows[1][1] == ["人员0", "多行\n住址0", "x"] and rows[1][0] == 2
    assert rows[-1][0] == 100  # a record is numbered by its first line


def test_headings_are_recognised_and_a_mapping_says_what_it_lacks():
    headers = [
        "序号",
        "户主姓名",
        "公民身份号码",
        "手机号",
        "村（社区）",
        "住址",
        "人员类别",
        "所属网格",
    ]
    mapping = propose_mapping(headers)
    assert mapping == {1: "head_name", 2: "id_number", 3: "mobile", 4: "community",
                       5: "address", 6: "tags", 7: "grid"}  # fmt: skip
    problems = check_mapping(mapping, has_default_community=False)
    assert problems == ["缺少必填列“姓名”。"]
    assert check_mapping({0: "name"}, has_default_community=False) == [
        "缺少必填列“公民身份号码”。",
        "缺少“社区/村”或“社区/村代码”列；如果整个文件属于同一个社区或村，请在导入时指定该社区。",
        "缺少住址信息：请至少对应“住址”“楼栋”“单元”“门牌/房号”或“户主身份证号”中的一列，以便按户归并。",
    ]


# --- cells: damage caught, each named by row and column -------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("id_cell", "fragment"),
    [
        ("1.30102E+17", "科学计数法"),
        ("130102199001011000", "科学计数法"),  # a float's lost digits, check digit wrong
        ("130102800101123", "15 位的第一代身份证"),
        (GOOD[:-1] + ("0" if GOOD[-1] != "0" else "1"), f"第 18 位应为 {GOOD[-1]}"),
        ("13010219900101", "应为 18 位，当前为 14 位"),
        ("", "请填写公民身份号码"),
    ],
)
def test_a_damaged_id_number_is_reported_by_row_and_column(id_cell, fragment):
    row, column, _cell, message = one_problem(f"张伟,{id_cell},,{A1},前街1号,户主,")
    assert (row, column) == (2, "id_number")
    assert fragment in message


@pytest.mark.django_db
def test_an_id_number_that_excel_turned_into_a_float_is_reported():
    data = xlsx(
        [["姓名", "身份证号", "社区/村代码", "门牌"], ["张伟", 1.30102199001012e17, A1, "前街1号"]]
    )
    report = check(data, name="台账.xlsx")
    assert report.preview[0][:2] == [2, "id_number"]
    assert "科学计数法" in report.preview[0][3]


@pytest.mark.django_db
def test_a_formula_is_reported_instead_of_imported():
    data = xlsx([["姓名", "身份证号", "社区/村代码", "门牌"], ["张伟", GOOD, A1, '="前街"&"1号"']])
    report = check(data, name="台账.xlsx")
    assert report.preview[0][:2] == [2, "room"]
    assert "公式" in report.preview[0][3]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("line", "column", "fragment"),
    [
        (f"张伟,{GOOD},1.38123E+10,{A1},前街1号,户主,", "mobile", "科学计数法"),
        (f"张伟,{GOOD},+1 415 555 0100,{A1},前街1号,户主,", "mobile", "其他国家"),
        (f"张伟,{GOOD},0318-1234567,{A1},前街1号,户主,", "mobile", "固定电话"),
        (f"张伟,{GOOD},,{A1},前街1号,表哥,", "relationship", "无法识别“表哥”"),
        (f"张伟,{GOOD},,{A1},前街1号,户主,独居老人、VIP", "tags", "无法识别标签“VIP”"),
        (f"张伟3,{GOOD},,{A1},前街1号,户主,", "name", "各列是否错位"),
        (f"张伟,{GOOD},,131128999999,前街1号,户主,", "division_code", "找不到区划代码"),
        (f"张伟,{GOOD},,131128100000,前街1号,户主,", "division_code", "不是社区或村"),
        (f'张伟,{GOOD},,{A1},"=A1&B1",户主,', "room", "公式"),
    ],
)
def test_other_damage_is_reported_by_row_and_column(line, column, fragment):
    row, found, _cell, message = one_problem(line)
    assert (row, found) == (2, column)
    assert fragment in message


@pytest.mark.django_db
def test_a_community_name_must_be_unambiguous_and_a_grid_must_exist():
    headers = "姓名,身份证号,社区/村,门牌,网格\n"
    report = check((headers + f"张伟,{GOOD},东南关社区,前街1号,第九网格\n").encode())
    assert report.preview[0][1] == "grid" and "找不到网格“第九网格”" in report.preview[0][3]
    report = check((headers + f"张伟,{GOOD},没有这个村,前街1号,\n").encode())
    assert report.preview[0][1] == "community" and "找不到名为“没有这个村”" in report.preview[0][3]


@pytest.mark.django_db
def test_full_width_digits_stray_spaces_and_a_country_code_are_repaired_not_stored():
    full_width = GOOD.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    data = ("姓名,身份证号,联系电话,社区/村代码,住址,与户主关系\n"
            f" 张  伟 ,' {full_width[:6]} {full_width[6:]} ,+86 138-0013-8000,{A1},"
            f"阜城镇东南关社区３号楼２单元３０１室,户主\n").encode()  # fmt: skip
    source = open_source(file_name="台账.csv", data=data)
    report = import_people(None, source, mapping=propose_mapping(source.headers))
    assert report.counts.created == 1, report.preview
    person = Person.objects.get()
    assert person.name == "张伟"
    assert person.id_number.reveal() == GOOD
    assert person.mobile.reveal() == "13800138000"
    home = person.household
    assert (home.building, home.unit, home.room) == ("3号楼", "2单元", "301")
    assert home.address == "东南关居民委员会 3号楼 2单元 301"


@pytest.mark.django_db
def test_excel_text_markers_around_numbers_in_a_csv_are_removed():
    data = (HEADER + f'张伟,"=""{GOOD}""",,{A1},前街1号,户主,\n').encode()
    report = check(data)
    assert report.counts.created == 1 and report.problem_count == 0
