"""The step and summary template tags: what a phone gets to fill in and to check."""

import datetime
import re

import time_machine
from django.http import QueryDict
from django.template import Context, Template

from civicgrid.applications.formspec import (
    ACTION_FIELD,
    clean_step,
    parse_definition,
    step_action,
    validate_complete,
)
from civicgrid.applications.formspec.tests.forms import (
    branching_form,
    documented_example,
    field,
    step,
    steps,
)


def render(source, **context):
    return Template("{% load formspec %}" + source).render(Context(context))


def input_tag(html, name):
    match = re.search(rf'<(input|textarea|select)\b[^>]*\bname="{re.escape(name)}"[^>]*>', html)
    assert match, f"no input named {name}"
    return match.group(0)


def every_field_type():
    return parse_definition(
        steps(
            step(
                "all",
                field("name", label="项目名称", max_length=50, help="与立项文件一致"),
                field("note", "textarea", "备注", required=False),
                field("addr", "address", "项目地址"),
                field("staff", "integer", "职工人数", unit="人"),
                field("total", "decimal", "总投资", unit="万元"),
                field("start", "date", "开工日期", min="2026-01-01"),
                field("kind", "choice", "建设性质", choices=["新建", "扩建"]),
                field("city", "choice", "所在市", choices=[f"市{i}" for i in range(8)]),
                field("scopes", "multichoice", "经营范围", choices=["甲", "乙"]),
                field("foreign", "yesno", "是否涉及外资"),
                field("id", "id_number", "法定代表人身份证号"),
                field("code", "credit_code", "统一社会信用代码"),
                field("mobile", "mobile", "联系电话"),
                field("mail", "email", "电子邮箱"),
                field("plan", "file", "项目建议书", kinds=["pdf", "image"], max_mb=5, max_files=2),
            )
        )
    )


def test_each_type_gets_the_input_and_phone_keyboard_it_needs():
    html = render("{% formspec_step spec 'all' %}", spec=every_field_type())

    assert 'type="text"' in input_tag(html, "name") and 'maxlength="50"' in input_tag(html, "name")
    assert input_tag(html, "note").startswith("<textarea")
    assert 'autocomplete="street-address"' in input_tag(html, "addr")
    assert 'inputmode="numeric"' in input_tag(html, "staff")
    assert 'inputmode="decimal"' in input_tag(html, "total")
    assert 'type="date"' in input_tag(html, "start") and 'min="2026-01-01"' in input_tag(
        html, "start"
    )
    assert 'type="radio"' in input_tag(html, "kind")
    assert input_tag(html, "city").startswith("<select")  # more than six choices
    assert 'type="checkbox"' in input_tag(html, "scopes")
    assert 'type="radio"' in input_tag(html, "foreign") and 'value="yes"' in input_tag(
        html, "foreign"
    )
    assert 'autocapitalize="characters"' in input_tag(html, "id")
    assert 'autocapitalize="characters"' in input_tag(html, "code")
    assert 'type="tel"' in input_tag(html, "mobile") and 'inputmode="tel"' in input_tag(
        html, "mobile"
    )
    assert 'type="email"' in input_tag(html, "mail") and 'inputmode="email"' in input_tag(
        html, "mail"
    )
    plan = input_tag(html, "plan")
    assert 'type="file"' in plan and " multiple" in plan
    assert 'accept=".pdf,application/pdf,.png,.jpg,.jpeg,image/png,image/jpeg"' in plan
    assert "格式：PDF、图片（PNG、JPEG）；每个不超过 5 MB，最多 2 个。" in html
    assert "与立项文件一致" in html
    assert "万元" in html
    assert '备注 <span class="muted">（选填）</span>' in html


def test_errors_show_beside_their_field_and_in_a_summary_that_links_to_it():
    spec = every_field_type()
    data = QueryDict("name=&staff=很多&mobile=12345")
    _answers, errors = clean_step(spec, "all", data, {})

    html = render(
        "{% formspec_step spec 'all' data=data errors=errors %}",
        spec=spec,
        data=data,
        errors=errors,
    )

    summary = html[html.index('id="fs-errors"') : html.index("</div>")]
    assert '<a href="#f-name">请填写「项目名称」。</a>' in summary
    assert '<a href="#f-staff">「职工人数」应为整数。</a>' in summary
    assert summary.index("#f-name") < summary.index("#f-staff") < summary.index("#f-mobile")
    staff = input_tag(html, "staff")
    assert 'value="很多"' in staff  # shown as typed
    assert 'aria-invalid="true"' in staff
    assert 'aria-describedby="f-staff-error"' in staff
    assert '<ul class="errorlist" id="f-staff-error"><li>「职工人数」应为整数。</li></ul>' in html


def test_a_step_without_errors_has_no_error_summary():
    html = render("{% formspec_step spec 'all' %}", spec=every_field_type())

    assert "fs-errors" not in html


def test_saved_answers_fill_the_inputs():
    spec = every_field_type()
    answers = {
        "name": "光伏项目",
        "foreign": False,
        "scopes": ["乙"],
        "city": "市3",
        "total": "12.50",
    }

    html = render("{% formspec_step spec 'all' answers=answers %}", spec=spec, answers=answers)

    assert 'value="光伏项目"' in input_tag(html, "name")
    assert '<input type="radio" name="foreign" value="no" checked>' in html
    assert '<input type="checkbox" name="scopes" value="乙" checked>' in html
    assert '<option value="市3" selected>' in html
    assert 'value="12.50"' in input_tag(html, "total")


def test_a_group_renders_its_rows_with_add_and_remove_buttons_that_need_no_javascript():
    spec = parse_definition(documented_example())
    answers = {"contacts": [{"name": "李明", "role": "legal"}, {"name": "王芳", "role": "经办人"}]}

    html = render(
        "{% formspec_step spec 'applicant' answers=answers %}", spec=spec, answers=answers
    )

    assert '<input type="hidden" name="contacts.__rows" value="2">' in html
    assert 'value="李明"' in input_tag(html, "contacts.0.name")
    assert 'value="王芳"' in input_tag(html, "contacts.1.name")
    assert (
        f'name="{ACTION_FIELD}" value="remove:contacts.1" formaction="#g-contacts" formnovalidate>删除第 2 行'
        in html
    )
    assert (
        f'name="{ACTION_FIELD}" value="add:contacts" formaction="#g-contacts-2" formnovalidate>添加一行'
        in html
    )
    # Enter in a text box presses the first submit button: a plain "继续", not a row's button.
    first_button = re.search(r"<button\b[^>]*>", html).group(0)
    assert ACTION_FIELD not in first_button


def test_a_group_at_its_minimum_offers_no_delete_and_at_its_maximum_no_add():
    spec = parse_definition(documented_example())  # contacts: 1 to 5 rows

    one = render("{% formspec_step spec 'applicant' %}", spec=spec)
    assert "contacts.0.name" in one  # the minimum row is there to fill in
    assert "remove:contacts" not in one

    five = {"contacts": [{"name": f"人{i}"} for i in range(5)]}
    full = render("{% formspec_step spec 'applicant' answers=answers %}", spec=spec, answers=five)
    assert "add:contacts" not in full
    assert "remove:contacts.4" in full


def test_after_adding_a_row_the_step_shows_the_new_empty_row_and_keeps_what_was_typed():
    spec = parse_definition(documented_example())
    data = QueryDict(mutable=True)
    data.update({"contacts.__rows": "1", "contacts.0.name": "李明", ACTION_FIELD: "add:contacts"})
    changed = step_action(spec, "applicant", data)

    html = render("{% formspec_step spec 'applicant' data=data %}", spec=spec, data=changed)

    assert 'value="李明"' in input_tag(html, "contacts.0.name")
    assert 'value=""' in input_tag(html, "contacts.1.name")


def test_fields_hidden_by_an_earlier_step_are_not_rendered():
    spec = branching_form()

    html = render(
        "{% formspec_step spec 'detail' answers=answers %}", spec=spec, answers={"kind": "expand"}
    )

    assert 'name="expansion_reason"' in html
    assert 'name="land"' not in html
    assert 'name="equipment"' not in html


def test_a_field_following_a_field_of_the_same_step_is_rendered_with_when_to_fill_it():
    spec = branching_form()

    html = render(
        "{% formspec_step spec 'detail' answers=answers %}", spec=spec, answers={"kind": "new"}
    )

    assert 'name="land_area"' in html
    assert "仅当「是否新增用地」为是时填写。" in html
    assert "仅当「新增用地面积」大于“100”时填写。" in html
    assert "仅当「环评类别」为“报告书”时填写。" in html


def test_uploaded_files_are_listed_with_a_delete_button_and_hidden_references():
    spec = every_field_type()
    answers = {"plan": ["att-1", "att-2"]}

    html = render(
        "{% formspec_step spec 'all' answers=answers attachments=names %}",
        spec=spec,
        answers=answers,
        names={"att-1": "建议书.pdf", "att-2": "现场照片.jpg"},
    )

    assert '<input type="hidden" name="plan" value="att-1">建议书.pdf' in html
    assert (
        f'name="{ACTION_FIELD}" value="unfile:plan:att-2" formaction="#f-plan" formnovalidate>删除'
        in html
    )
    # Two files is this field's limit: no further upload until one is deleted.
    assert 'type="file"' not in html.split('name="plan"', 3)[-1].split("</div>")[0]
    assert "已达到文件数量上限" in html


def test_the_progress_counts_only_the_steps_the_answers_show():
    spec = branching_form()

    assert "第 2 步，共 4 步" in render(
        "{% formspec_progress spec 'detail' answers %}", spec=spec, answers={"kind": "move"}
    )
    assert "第 2 步，共 3 步" in render(
        "{% formspec_progress spec 'detail' answers %}", spec=spec, answers={"kind": "expand"}
    )


def test_the_summary_renders_by_step_with_change_links_to_the_field():
    spec = parse_definition(documented_example())
    answers = {
        "company": "某公司",
        "contacts": [{"name": "李明", "mobile": "13812345678", "role": "经办人"}],
    }

    html = render(
        "{% formspec_summary spec answers change_url='/apply/d1/__step__/' mask=True %}",
        spec=spec,
        answers=answers,
    )

    assert '<h2 id="fs-summary-applicant">申请单位</h2>' in html
    assert "<td>项目联系人 第 1 行：手机号码</td><td>138****5678</td>" in html
    assert '<a href="/apply/d1/applicant/#f-contacts-0-mobile">修改' in html
    assert '<a href="/apply/d1/project/#f-kind">修改' in html


def test_the_summary_takes_change_links_as_a_mapping_or_none():
    spec = parse_definition(documented_example())

    mapped = render(
        "{% formspec_summary spec answers change_url=urls %}",
        spec=spec,
        answers={"company": "某公司"},
        urls={"applicant": "/a/"},
    )
    assert '<a href="/a/#f-company">修改' in mapped
    assert "/project/" not in mapped

    plain = render("{% formspec_summary spec answers %}", spec=spec, answers={"company": "某公司"})
    assert "修改" not in plain


def test_the_summary_shows_each_missing_answer_on_its_own_row():
    spec = parse_definition(documented_example())
    answers = {"company": "某公司", "contacts": [{"name": "李明", "role": "经办人"}]}
    errors = validate_complete(spec, answers)

    html = render(
        "{% formspec_summary spec answers errors=errors %}",
        spec=spec,
        answers=answers,
        errors=errors,
    )

    mobile_row = html[html.index("项目联系人 第 1 行：手机号码") :].split("</tr>")[0]
    assert 'class="fs-error"' in mobile_row
    assert "请填写「项目联系人」第 1 行的「手机号码」。" in mobile_row
    assert "请填写「统一社会信用代码」。" in html


def test_the_summary_puts_an_error_without_a_row_under_its_step():
    spec = parse_definition(documented_example())

    html = render(
        "{% formspec_summary spec answers errors=errors %}",
        spec=spec,
        answers={"company": "某公司"},
        errors={
            "contacts": ["「项目联系人」至少需要填写 1 行。"],
            "zzz": "表单中没有“zzz”这一项。",
        },
    )

    assert html.count("「项目联系人」至少需要填写 1 行。") == 1
    assert "表单中没有“zzz”这一项。" in html


def test_a_group_error_links_to_the_group_and_errors_of_no_field_still_show():
    spec = parse_definition(documented_example())
    errors = {
        "contacts": "「项目联系人」至少需要填写 1 行。",
        "__all__": ["该申请已提交，不能再修改"],
    }

    html = render("{% formspec_step spec 'applicant' errors=errors %}", spec=spec, errors=errors)

    assert '<a href="#g-contacts">「项目联系人」至少需要填写 1 行。</a>' in html
    assert 'id="g-contacts"' in html
    assert "<li>该申请已提交，不能再修改</li>" in html


def test_a_group_whose_rows_must_add_up_says_so():
    spec = parse_definition(documented_example())

    html = render("{% formspec_step spec 'project' %}", spec=spec)

    assert '<p class="helptext">各行「金额」合计不能超过「总投资」。</p>' in html


@time_machine.travel(datetime.datetime(2026, 11, 27, 20, tzinfo=datetime.UTC))  # 28th in Hebei
def test_a_date_that_may_not_be_in_the_past_offers_the_picker_from_today_in_china():
    spec = parse_definition(documented_example())

    html = render("{% formspec_step spec 'project' %}", spec=spec)

    assert 'min="2026-11-28"' in input_tag(html, "start")
