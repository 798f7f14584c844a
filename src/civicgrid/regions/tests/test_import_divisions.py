"""Importing a national division file: valid files upsert, any bad line refuses the whole file."""

import gzip

import pytest
from django.core.management import CommandError, call_command

from civicgrid.regions.actions import DivisionImportError, do_import_divisions
from civicgrid.regions.division_files import read_division_rows
from civicgrid.regions.models import Division

pytestmark = pytest.mark.django_db


def _write(tmp_path, text: str, *, encoding: str = "utf-8", name: str = "divisions.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_it_imports_a_new_province_at_any_depth_with_short_or_full_codes(tmp_path):
    path = _write(
        tmp_path,
        "code,name\n14,山西省\n1401,太原市\n140105,小店区\n140105001,坞城街道\n140105001001,示例社区居委会\n",
    )
    call_command("import_divisions", path)
    community = Division.objects.get(code="140105001001")
    assert community.level == 5
    assert community.parent.parent.name == "小店区"
    assert community.pinyin_initials.startswith("slsq")


def test_reimporting_the_same_file_changes_nothing_and_renames_update(tmp_path):
    rows = read_division_rows("14,山西省\n1401,太原市\n".encode())
    first = do_import_divisions(rows)
    again = do_import_divisions(rows)
    renamed = do_import_divisions(read_division_rows("1401,太原\n".encode()))
    assert (first.created, again.created, again.unchanged) == (2, 0, 2)
    assert renamed.updated == 1
    taiyuan = Division.objects.get(code="140100000000")
    assert (taiyuan.name, taiyuan.pinyin) == ("太原", "taiyuan")


def test_a_child_may_hang_under_a_division_already_in_the_database(tmp_path):
    path = _write(tmp_path, "131128100999,新建社区居委会\n")
    call_command("import_divisions", path)
    assert Division.objects.get(code="131128100999").parent.name == "阜城镇"


def test_a_bad_code_or_an_orphan_refuses_the_file_and_lists_every_line(tmp_path, capsys):
    before = Division.objects.count()
    path = _write(
        tmp_path,
        "code,name\n14,山西省\n14ab,坏代码\n1402,\n150102,无上级的区\n14,山西省重复\n",
    )
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("import_divisions", path)
    errors = capsys.readouterr().err
    assert "第 3 行（14ab）" in errors and "数字" in errors
    assert "第 4 行（1402）：名称为空" in errors
    assert "第 5 行（150102000000）" in errors and "上级区划 150100000000" in errors
    assert "第 6 行（14）：代码与第 2 行重复" in errors
    assert Division.objects.count() == before  # the good line 2 was not written either


def test_an_empty_file_is_refused():
    with pytest.raises(DivisionImportError) as caught:
        do_import_divisions(read_division_rows(b""))
    assert "没有任何区划" in str(caught.value.problems[0])


def test_gb18030_and_gzip_files_are_read(tmp_path):
    gb = _write(tmp_path, "代码,名称\n14,山西省\n", encoding="gb18030")
    call_command("import_divisions", gb)
    zipped = tmp_path / "more.csv.gz"
    zipped.write_bytes(gzip.compress("1401,太原市\n".encode()))
    call_command("import_divisions", zipped)
    assert Division.objects.get(code="140100000000").parent.name == "山西省"


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="无法读取文件"):
        call_command("import_divisions", tmp_path / "nope.csv")
