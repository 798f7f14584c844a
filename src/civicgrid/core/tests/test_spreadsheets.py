"""Reading uploaded spreadsheets and writing reports (core.spreadsheets)."""

import io
import zipfile

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from civicgrid.core.mobile import normalize_mobile
from civicgrid.core.spreadsheets import (
    Column,
    SpreadsheetError,
    cell_text,
    read_sheet,
    read_table,
    write_report,
)

COLUMNS = [
    Column("name", "姓名", ("姓名", "name")),
    Column("mobile", "手机号码", ("手机号", "手机号码", "联系电话", "mobile")),
    Column("note", "备注", ("备注", "note"), required=False),
]


def xlsx(*rows, title_rows=()):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in (*title_rows, *rows):
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def ods(*rows):
    """A minimal OpenDocument spreadsheet, built by hand: no library writes .ods here."""

    def cell(value):
        return (
            f'<table:table-cell office:value-type="string"><text:p>{value}</text:p>'
            "</table:table-cell>"
        )

    body = "".join(f"<table:table-row>{''.join(map(cell, r))}</table:table-row>" for r in rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="工作人员">{body}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type='
        '"application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "mimetype",
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", manifest)
    return buffer.getvalue()


def refusal(data, filename, columns=COLUMNS):
    with pytest.raises(SpreadsheetError) as caught:
        read_table(data, filename, columns)
    return caught.value


# --- reading -------------------------------------------------------------------------------


def test_it_reads_an_xlsx_with_the_row_numbers_the_sheet_shows():
    data = xlsx(
        ("姓名", "手机号码", "备注"),
        ("张三", "13812345678", "新入职"),
        (),
        ("李四", "13912345678"),
        title_rows=[("阜城县工作人员名单",), ()],
    )
    table = read_table(data, "名单.xlsx", COLUMNS)
    assert table.format == "xlsx"
    assert table.header_row == 3  # the title row above it is skipped
    assert [(r.number, r["name"], r["mobile"], r["note"]) for r in table.records] == [
        (4, "张三", "13812345678", "新入职"),
        (6, "李四", "13912345678", ""),
    ]


def test_a_mobile_stored_as_a_number_comes_back_as_its_digits():
    table = read_table(xlsx(("姓名", "手机号"), ("张三", 13812345678)), "a.xlsx", COLUMNS)
    assert table.records[0]["mobile"] == "13812345678"
    assert normalize_mobile(table.records[0]["mobile"]) == "13812345678"


def test_a_number_too_large_to_be_exact_keeps_a_form_the_mobile_validator_refuses():
    table = read_table(xlsx(("姓名", "手机号"), ("张三", 1.3812345678e20)), "a.xlsx", COLUMNS)
    damaged = table.records[0]["mobile"]
    assert "e+" in damaged  # not silently turned into 21 "digits"
    with pytest.raises(ValidationError) as caught:
        normalize_mobile(damaged)
    assert caught.value.code == "spreadsheet"


def test_scientific_notation_from_a_csv_is_recognised_as_spreadsheet_damage():
    table = read_table("姓名,手机号\n张三,1.38123E+10\n".encode(), "a.csv", COLUMNS)
    with pytest.raises(ValidationError) as caught:
        normalize_mobile(table.records[0]["mobile"])
    assert caught.value.code == "spreadsheet"


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8"), ("gb18030", "gb18030")],
)
def test_it_reads_a_csv_in_utf8_with_or_without_bom_and_in_gb18030(encoding, expected):
    text = "姓名,手机号码,备注\r\n张三,13812345678,“双引号”与生僻字𠀀\r\n"
    if encoding == "gb18030":
        text = text.replace("𠀀", "䶮")  # a character GB18030 has and GBK lacks
    table = read_table(text.encode(encoding), "名单.csv", COLUMNS)
    assert table.format == "csv"
    assert read_sheet(text.encode(encoding), "名单.csv").encoding == expected
    record = table.records[0]
    assert (record.number, record["name"], record["mobile"]) == (2, "张三", "13812345678")
    assert record["note"].startswith("“双引号”与生僻字")


def test_it_reads_excels_tab_separated_unicode_text_saved_as_csv():
    data = "姓名\t手机号码\n张三\t13812345678\n".encode("utf-16")
    assert read_table(data, "a.csv", COLUMNS).records[0]["mobile"] == "13812345678"


def test_a_quoted_cell_spanning_lines_keeps_the_next_rows_numbering_true():
    data = '姓名,手机号码,备注\n张三,13812345678,"第一行\n第二行"\n李四,13912345678,\n'.encode()
    records = read_table(data, "a.csv", COLUMNS).records
    assert [r.number for r in records] == [3, 4]
    assert records[0]["note"] == "第一行\n第二行"


def test_it_reads_an_ods_file():
    table = read_table(ods(("姓名", "手机号码"), ("张三", "13812345678")), "a.ods", COLUMNS)
    assert table.format == "ods"
    assert table.records[0]["name"] == "张三"


def test_an_xlsx_renamed_csv_is_read_as_what_it_is():
    table = read_table(xlsx(("姓名", "手机号码"), ("张三", "13812345678")), "a.csv", COLUMNS)
    assert table.format == "xlsx"


def test_headers_match_whatever_case_spacing_markers_and_notes_they_carry():
    data = xlsx(("* 姓 名", "Mobile（必填）", "备注："), ("张三", "13812345678", "x"))
    assert read_table(data, "a.xlsx", COLUMNS).columns == {"name": 0, "mobile": 1, "note": 2}


def test_unknown_columns_are_reported_and_ignored():
    table = read_table(
        xlsx(("序号", "姓名", "手机号码", "籍贯"), (1, "张三", "13812345678", "河北")),
        "a.xlsx",
        COLUMNS,
    )
    assert table.unknown_headers == ["序号", "籍贯"]
    assert dict(table.records[0].values) == {"name": "张三", "mobile": "13812345678"}


def test_cells_become_the_text_a_person_would_type():
    import datetime

    assert cell_text(3.0) == "3"
    assert cell_text(1.5) == "1.5"
    assert cell_text(True) == "TRUE"
    assert cell_text(datetime.datetime(2020, 2, 1)) == "2020-02-01"
    assert cell_text(datetime.datetime(2020, 2, 1, 8, 30)) == "2020-02-01 08:30:00"
    assert cell_text(None) == ""
    assert cell_text("  张三\u3000") == "张三"


# --- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize("filename", ["a.xlsx", "a.csv"])
def test_an_empty_file_is_refused(filename):
    error = refusal(b"", filename)
    assert error.code == "empty"
    assert "空" in str(error)


def test_a_csv_of_blank_lines_is_refused_as_empty():
    assert refusal(b"\r\n , ,\r\n\r\n", "a.csv").code == "empty"


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (xlsx(("姓名", "手机号码")), "a.xlsx"),
        ("姓名,手机号码\n".encode(), "a.csv"),
        (xlsx(("姓名", "手机号码"), (None, None, "只有无关列有值")), "a.xlsx"),
    ],
)
def test_a_file_with_only_headers_is_refused(data, filename):
    error = refusal(data, filename)
    assert error.code == "no_data"
    assert "没有数据行" in str(error)


def test_a_text_file_renamed_xlsx_is_refused():
    error = refusal("姓名,手机号码\n张三,13812345678\n".encode(), "名单.xlsx")
    assert error.code == "not_a_spreadsheet"
    assert "扩展名" in str(error)


@pytest.mark.parametrize("filename", ["报告.xlsx", "报告.csv"])
def test_a_pdf_is_refused_whatever_its_name(filename):
    error = refusal(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", filename)
    assert error.code == "not_a_spreadsheet"
    assert "PDF" in str(error)


@pytest.mark.parametrize("filename", ["名单.pdf", "名单.txt", "名单"])
def test_files_of_other_types_are_refused_by_their_extension(filename):
    error = refusal(b"hello", filename)
    assert error.code == "unsupported_type"
    assert ".xlsx" in str(error)


def test_a_word_document_renamed_xlsx_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert refusal(buffer.getvalue(), "a.xlsx").code == "not_a_spreadsheet"


def test_a_damaged_xlsx_is_refused_with_a_message():
    data = xlsx(("姓名", "手机号码"), ("张三", "13812345678"))
    error = refusal(data[: len(data) // 2], "a.xlsx")
    assert error.code == "unreadable"
    assert "损坏" in str(error)


def test_an_oversize_file_is_refused(settings):
    settings.SPREADSHEET_MAX_BYTES = 1000
    data = ("姓名,手机号码\n" + "张三,13812345678\n" * 100).encode()
    error = refusal(data, "a.csv")
    assert error.code == "too_large"
    assert "1000 B" in str(error) or "上限" in str(error)


def test_a_zip_that_expands_enormously_is_refused(settings):
    settings.SPREADSHEET_MAX_BYTES = 10_000
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", " " * 1_000_000)
    assert refusal(buffer.getvalue(), "a.xlsx").code == "too_large"


def test_a_missing_required_column_is_named_with_the_headers_it_accepts():
    error = refusal(xlsx(("姓名", "电话号码"), ("张三", "13812345678")), "a.xlsx")
    assert error.code == "missing_columns"
    message = str(error)
    assert "手机号码" in message and "联系电话" in message  # what it is and what would do
    assert "电话号码" in message  # and what the file had instead


def test_two_columns_meaning_the_same_are_refused():
    error = refusal(
        xlsx(("姓名", "手机号", "联系电话"), ("张三", "13812345678", "13912345678")), "a.xlsx"
    )
    assert error.code == "duplicate_columns"
    assert "手机号" in str(error) and "联系电话" in str(error)


# --- writing -------------------------------------------------------------------------------


def test_a_report_has_a_bold_header_fitted_widths_and_a_frozen_first_row():
    data = write_report(
        [[2, "新建账号", "东南关居民委员会网格员", "138****5678"]],
        ["行号", "结果", "说明", "手机号码"],
    )
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet[1]] == ["行号", "结果", "说明", "手机号码"]
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    # 11 Chinese characters are 22 columns wide, plus padding.
    assert sheet.column_dimensions["C"].width >= 22
    assert sheet.column_dimensions["A"].width < sheet.column_dimensions["C"].width


def test_text_that_looks_like_a_formula_stays_text():
    data = write_report([['=HYPERLINK("http://x")', "+1", "@a", "-2"]], ["a", "b", "c", "d"])
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [(c.value, c.data_type) for c in sheet[2]] == [
        ('=HYPERLINK("http://x")', "s"),
        ("+1", "s"),
        ("@a", "s"),
        ("-2", "s"),
    ]


def test_a_report_streams_many_rows_and_reads_back_through_the_reader():
    rows = ([n, f"姓名{n}", "138****5678"] for n in range(2, 20_002))  # a generator
    data = write_report(rows, ["行号", "姓名", "手机号码"])
    sheet = read_sheet(data, "report.xlsx")
    assert len(sheet.rows) == 20_001
    assert sheet.rows[-1].cells == ["20001", "姓名20001", "138****5678"]


def test_control_characters_from_uploads_do_not_break_the_report():
    data = write_report([["张\x07三"]], ["姓名"])
    assert openpyxl.load_workbook(io.BytesIO(data)).active["A2"].value == "张三"
