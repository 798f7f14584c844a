"""`civicgrid import-people` and the `import_people` command behind it."""

import datetime
import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from civicgrid import cli
from civicgrid.core.idcard import make_id_number
from civicgrid.population.models import Person

pytestmark = pytest.mark.django_db

A1 = "131128100001"


def number(sequence: int) -> str:
    return make_id_number("131128", datetime.date(1980, 5, 1), sequence)


@pytest.fixture
def register(tmp_path):
    path = tmp_path / "台账.csv"
    path.write_text(
        "姓名,身份证号,门牌,与户主关系,证件备注\n"
        f"张伟,{number(1)},前街1号,户主,\n"
        f"李娜,{number(2)},前街1号,配偶,\n"
        f"王五,{number(3)[:15]},前街2号,户主,\n",
        encoding="gb18030",
    )
    return path


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_people", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_imports_good_rows_and_names_each_problem(register, tmp_path):
    out, err = run(register, "--community", A1, "--report", tmp_path / "问题.xlsx")
    assert "新增 2 人" in out and "出错 1 行" in out
    assert "第 4 行“公民身份号码”：这是 15 位的第一代身份证号码" in err
    assert "100%" in err  # the progress bar's last state
    assert Person.objects.count() == 2
    rows = list(openpyxl.load_workbook(tmp_path / "问题.xlsx").active.iter_rows(values_only=True))
    assert rows[1][:2] == (4, "公民身份号码")


def test_a_dry_run_writes_nothing(register):
    out, _err = run(register, "--community", A1, "--dry-run")
    assert "检查完成，未写入" in out and "将新增 2 人" in out
    assert not Person.objects.exists()


def test_all_or_nothing_refuses_the_file_with_an_error_exit(register):
    with pytest.raises(CommandError, match="未写入任何数据"):
        run(register, "--community", A1, "--all-or-nothing")
    assert not Person.objects.exists()


def test_a_column_can_be_remapped_or_left_out(register):
    out, _err = run(register, "--community", A1, "--column", "门牌=住址", "--dry-run")
    assert "门牌→住址" in out
    with pytest.raises(CommandError, match="缺少必填列“公民身份号码”"):
        run(register, "--community", A1, "--column", "身份证号=")


def test_without_a_community_column_or_option_the_command_says_what_is_missing(register):
    with pytest.raises(CommandError, match="缺少“社区/村”或“社区/村代码”列"):
        run(register)


def test_civicgrid_import_people_hands_its_options_to_the_command(register, monkeypatch):
    # execute_from_command_line closes every database connection when it ends, the test
    # database's included, so the hand-over is caught and the command run with call_command.
    import django.core.management

    handed = []
    monkeypatch.setattr(django.core.management, "execute_from_command_line", handed.append)
    cli.main(["import-people", str(register), "--community", A1, "--dry-run",
              "--all-or-nothing", "--report", "r.xlsx"])  # fmt: skip
    _program, *argv = handed[0]
    assert argv == ["import_people", str(register), "--all-or-nothing", "--dry-run",
                    "--community", A1, "--report", "r.xlsx"]  # fmt: skip
    out, _err = run(*argv[1:-2])
    assert "将新增 2 人" in out
