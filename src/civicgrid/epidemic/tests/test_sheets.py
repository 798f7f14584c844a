"""Many units' reports in one sheet: all rows go in, or none with every problem by row."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civicgrid.core.spreadsheets import write_report
from civicgrid.epidemic.models import ElementTotal, Report
from civicgrid.epidemic.tests import factories as f

pytestmark = pytest.mark.django_db
HEADERS = ["单位", "日期", "新增确诊（例）", "累计确诊", "新增治愈", "发热门诊就诊"]


def _upload(client, form, rows):  # type: ignore[no-untyped-def]
    data = write_report(rows, HEADERS)
    sheet = SimpleUploadedFile("日报.xlsx", data)
    return client.post(f"/epidemic/forms/{form.pk}/upload/", {"file": sheet})


def test_a_county_uploads_its_units_reports_in_one_sheet(client, personas):
    form = f.daily_form(personas)
    f.health_centre()
    f.unit("古城镇卫生院", "131128101000")
    client.force_login(personas.county_a_officer)
    today = f.days_ago(0).isoformat()
    page = _upload(
        client,
        form,
        [
            ["阜城镇卫生院", today, 2, 10, 0, 20],
            ["古城镇卫生院", today.replace("-", "/"), 9, 12, 1, 5],
        ],
    )
    text = page.content.decode()
    assert "新上报 2 份，更正 0 份" in text
    assert "「新增确诊」（9）不能大于「发热门诊就诊」（5）" in text  # a warning, not a refusal
    cell = ElementTotal.objects.get(
        form=form, division_code="131128000000", element__code="new_confirmed"
    )
    assert cell.hundredths == 1100
    again = _upload(client, form, [["阜城镇卫生院", today, 3, 10, 0, 20]]).content.decode()
    assert "新上报 0 份，更正 1 份" in again
    assert Report.objects.get(unit__name="阜城镇卫生院").version == 2


def test_one_bad_row_refuses_the_whole_sheet_listing_every_problem(client, personas):
    form = f.daily_form(personas)
    f.health_centre()
    f.sibling_centre()
    client.force_login(personas.county_a_officer)
    today = f.days_ago(0).isoformat()
    text = _upload(
        client,
        form,
        [
            ["阜城镇卫生院", today, 2, 10, 0, 20],
            ["阜城镇卫生院", "昨天", 2, 10, 0, 20],
            ["景州镇卫生院", today, 1, 1, 0, 1],
            ["阜城县疾病预防控制中心", today, -1, 10, 0, 20],
        ],
    ).content.decode()
    assert "表格未导入" in text
    assert "第 3 行：日期“昨天”无法识别" in text
    assert "第 4 行：“景州镇卫生院”不是您可以填报的单位" in text
    assert "第 5 行：「新增确诊」不能为负数，收到 -1" in text
    assert not Report.objects.exists()
    assert not ElementTotal.objects.exists()
