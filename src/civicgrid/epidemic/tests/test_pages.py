"""The pages: the unit's form on a phone, statistics and completeness down the hierarchy,
approvals, exports and the designer."""

import io

import pytest
from openpyxl import load_workbook

from civicgrid.epidemic.models import DataElement, Report, ValidationRule
from civicgrid.epidemic.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(personas):  # type: ignore[no-untyped-def]
    form = f.daily_form(personas)
    centre, clinician = f.health_centre()
    return form, centre, clinician


def _entry(form) -> str:  # type: ignore[no-untyped-def]
    return f"/epidemic/forms/{form.pk}/report/"


def test_a_health_centre_submits_from_its_form_and_sees_the_warning(client, setup):
    form, _, clinician = setup
    client.force_login(clinician)
    page = client.get(_entry(form))
    assert "阜城镇卫生院" in page.content.decode() and "未填报" in page.content.decode()
    posted = {f"v_{k}": v for k, v in f.figures(new=7, fever=5).items()}
    response = client.post(_entry(form), {**posted, "op": "submit", "version": "0"}, follow=True)
    text = response.content.decode()
    assert "已上报" in text
    assert "「新增确诊」（7）不能大于「发热门诊就诊」（5）" in text
    assert Report.objects.get().status == "submitted"


def test_bad_figures_are_shown_beside_their_element_and_nothing_is_saved(client, setup):
    form, _, clinician = setup
    client.force_login(clinician)
    posted = {f"v_{k}": v for k, v in f.figures(new=-1, cured=20).items()}
    text = client.post(_entry(form), {**posted, "op": "submit", "version": "0"}).content.decode()
    assert "「新增确诊」不能为负数，收到 -1" in text
    assert "「新增治愈」（20）不能大于「累计确诊」（10）" in text
    assert 'value="-1"' in text  # what the reporter typed stays in the form
    assert not Report.objects.exists()


def test_a_stale_page_is_told_someone_else_saved_first(client, personas, setup):
    form, centre, clinician = setup
    f.submit(clinician, form, centre, new=2)
    client.force_login(personas.county_a_officer)  # opened the empty form before the unit saved
    posted = {f"v_{k}": v for k, v in f.figures(new=3).items()}
    posted |= {"op": "submit", "version": "0", "unit": centre.pk}
    text = client.post(_entry(form), posted).content.decode()
    assert "已被他人修改（当前版本 1，您修改的是版本 0）" in text
    assert Report.objects.get().values["new_confirmed"] == "2"


def test_county_and_city_see_the_same_totals_and_the_sibling_county_none(client, personas, setup):
    form, centre, clinician = setup
    f.submit(clinician, form, centre, new=4, cum=20)
    url = f"/epidemic/forms/{form.pk}/statistics/"
    client.force_login(personas.county_a_officer)
    county = client.get(url).context["report"]
    assert county.within.code == "131128000000"
    assert county.total.values["new_confirmed"] == 4
    assert {r.label: r.values.get("new_confirmed", 0) for r in county.rows}["阜城镇"] == 4
    client.force_login(personas.city_officer)
    city = client.get(url).context["report"]
    assert {r.label: r.values.get("new_confirmed", 0) for r in city.rows}["阜城县"] == 4
    assert city.total.values["cum_confirmed"] == 20
    township = client.get(url, {"within": "131128100"}).context["report"]
    assert [(r.label, r.values["new_confirmed"]) for r in township.rows] == [("阜城镇卫生院", 4)]
    client.force_login(personas.county_b_officer)
    assert client.get(url, {"within": "131128"}).status_code == 404
    assert client.get(url).context["report"].total.values == {}


def test_completeness_lists_who_has_not_reported(client, personas, setup):
    form, centre, clinician = setup
    f.unit("古城镇卫生院", "131128101000")
    f.submit(clinician, form, centre)
    client.force_login(personas.county_a_officer)
    page = client.get(f"/epidemic/forms/{form.pk}/completeness/")
    report = page.context["report"]
    # Two health centres and the county CDC (a reporting type) are expected; one reported.
    assert (report.total.expected, report.total.reported) == (3, 1)
    rows = {r.label: (r.expected, r.reported) for r in report.rows}
    assert rows["阜城镇"] == (1, 1) and rows["古城镇"] == (1, 0) and rows["本级直属单位"] == (1, 0)
    statuses = {u.name: u.status for u in page.context["unit_statuses"]}
    assert statuses == {
        "阜城镇卫生院": "submitted",
        "古城镇卫生院": "",
        "阜城县疾病预防控制中心": "",
    }


@pytest.mark.parametrize("page", ["completeness", "statistics"])
def test_every_table_exports_to_xlsx(client, personas, setup, page):
    form, centre, clinician = setup
    f.submit(clinician, form, centre, new=4)
    client.force_login(personas.city_officer)
    response = client.get(f"/epidemic/forms/{form.pk}/{page}/export/", {"within": "1311"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] in ("区划", "区划或单位")
    assert any(r[0] == "阜城县" for r in rows)
    assert rows[-1][0] == "合计：衡水市"


def test_the_city_confirms_and_the_province_locks_from_the_approvals_page(client, personas, setup):
    form, centre, clinician = setup
    f.submit(clinician, form, centre)
    url = f"/epidemic/forms/{form.pk}/approvals/"
    client.force_login(personas.city_officer)
    assert "确认" in client.get(url).content.decode()
    done = client.post(url, {"op": "confirm", "county": "131128"}, follow=True)
    assert "已确认阜城县的 1 份日报" in done.content.decode()
    client.force_login(personas.province_officer)
    client.post(url, {"op": "lock"})
    assert Report.objects.get().status == "locked"
    refused = client.post(url, {"op": "reopen", "reason": ""}, follow=True).content.decode()
    assert "请填写重新开放的理由" in refused
    client.post(url, {"op": "reopen", "reason": "阜城县更正数据"})
    assert Report.objects.get().status == "confirmed"


def test_an_administrator_designs_a_form_with_plain_forms(client, personas):
    client.force_login(personas.county_a_admin)
    created = client.post(
        "/epidemic/design/new/",
        {
            "code": "fever-clinic",
            "name": "发热门诊日报",
            "division": "131128",
            "organisation_types": ["medical"],
            "deadline_hour": "12",
            "is_active": "on",
        },
    )
    assert created.status_code == 302
    edit = created["Location"]
    client.post(
        edit,
        {
            "op": "element",
            "code": "visits",
            "name": "就诊人次",
            "type": "integer",
            "kind": "new",
            "unit": "人次",
            "required": "on",
            "order": "1",
        },
    )
    client.post(
        edit,
        {
            "op": "element",
            "code": "fever",
            "name": "发热人数",
            "type": "integer",
            "kind": "new",
            "unit": "人",
            "required": "on",
            "order": "2",
        },
    )
    visits, fever = DataElement.objects.order_by("order")
    client.post(
        edit,
        {"op": "rule", "kind": "le", "left": fever.pk, "right": visits.pk, "severity": "block"},
    )
    assert str(ValidationRule.objects.get()) == "「发热人数」不能大于「就诊人次」（阻止提交）"
    duplicate = client.post(
        edit,
        {
            "op": "element",
            "code": "visits",
            "name": "x",
            "type": "integer",
            "kind": "new",
            "order": "3",
        },
    )
    assert "指标代码“visits”已在本表中使用" in duplicate.content.decode()
    outside = client.post(
        "/epidemic/design/new/",
        {
            "code": "x",
            "name": "x",
            "division": "131127",
            "organisation_types": ["medical"],
            "deadline_hour": "12",
        },
    )
    assert "只有该区划的系统管理员可以设计报表" in outside.content.decode()


def test_a_county_by_community_lists_the_villages_with_figures(client, personas, setup):
    form, centre, _ = setup
    room = f.unit("东南关卫生室", "131128100001")
    for unit, new in ((centre, 2), (room, 5)):
        f.submit(personas.county_a_officer, form, unit, new=new)
    client.force_login(personas.county_a_officer)
    url = f"/epidemic/forms/{form.pk}/statistics/"
    report = client.get(url, {"by": "community"}).context["report"]
    rows = {r.label: r.values.get("new_confirmed") for r in report.rows}
    assert rows == {"东南关居民委员会": 5, "不在村（社区）的单位": 2}
    assert report.total.values["new_confirmed"] == 7


def test_the_daily_situation_report_is_a_pdf_of_the_days_figures(client, personas, setup):
    import pypdfium2

    form, centre, clinician = setup
    f.submit(clinician, form, centre, new=4)
    client.force_login(personas.city_officer)
    response = client.get(f"/epidemic/forms/{form.pk}/situation.pdf", {"within": "131128"})
    assert response["Content-Type"] == "application/pdf"
    page = pypdfium2.PdfDocument(response.content)[0]
    text = page.get_textpage().get_text_range().replace("\r", "").replace("\n", "")
    assert "阜城县疫情日报" in text
    assert "应报单位 2 个，已报 1 个（按时" in text
    assert "阜城镇" in text
