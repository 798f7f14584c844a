"""Application forms configured as data: one definition, cleaned alike for pages and the API.

A service item's form is a JSON definition stored in the database. `parse_definition` checks it
completely once and gives a `FormSpec`; everything else works on that.

The contract (names are stable; the case code in `applications` calls these):

    from civicgrid.applications.formspec import (
        parse_definition, FormSpec, FormDefinitionError, clean_step, clean_all,
        validate_complete, visible_fields, answer_summary, SummaryRow, step_action, resume_step,
    )

    spec = parse_definition(data)            # FormDefinitionError(path, message) if broken
    spec.steps                               # [Step(key, title, items, help, show_if, index)]
    spec.step(key); spec.first_step()
    spec.next_step(key, answers)             # Step | None, skipping steps hidden by show_if
    spec.previous_step(key, answers)         # Step | None
    spec.visible_steps(answers)
    spec.file_rules(path)                    # FileRule(kinds, max_bytes, max_files); path may
                                             # carry row indices: "contacts.0.licence"
    spec.field_at(path)                      # the Field at a path

    clean_step(spec, step_key, data, answers) -> (answers, errors)
        data: the step's input, flat (request.POST: "contacts.0.mobile") or nested (API JSON);
        answers: the answers so far (a draft). Returns a new dict: the step's cleaned answers
        merged in, every field hidden by a condition dropped (anywhere in the form), and
        {path: Chinese message naming the field} — hidden fields are never reported.
    clean_all(spec, data) -> (answers, errors)      # every shown step, for a whole-form API call
    validate_complete(spec, answers) -> errors      # before submission; {} when complete
    resume_step(spec, answers) -> Step | None       # save-and-return: the first step to fix
    visible_fields(spec, answers) -> [FieldRef(path, field, step, row)]
    answer_summary(spec, answers, file_names=None, mask=False)
        -> [SummaryRow(step_key, step_title, label, display_value, path)]
    step_action(spec, step_key, data) -> flat data | None   # "添加一行" / "删除" / drop a file
    personal_values(spec, answers) -> [PersonalValue(path, kind, value)]  # ID and mobile numbers
    masked_answers(spec, answers) -> answers with those masked (a clerk's or API client's view)
    seal_personal(spec, answers) -> answers with those marked for encrypted storage (cleaning
                                    marks them itself; this is for answers from elsewhere)
    answers_schema(spec) -> a JSON Schema (2020-12) of the answers, for API clients

Stored answer values are plain JSON (see `values.py`): int for integer, "1250.50" for decimal,
"2026-03-01" for date, True/False for yesno, a list for multichoice and for file fields (a list
of attachment references the case code gives; `clean_step` checks only their presence and
count — the content is checked on upload by `civicgrid.applications.attachments`). Group
answers are lists of row dicts. Paths: "name", "contacts" (the group), "contacts.1.mobile" (row
indices from 0; messages say "第 2 行").

Uploads on a page: the file input of a field is named by its path. Files already uploaded come
back as hidden inputs of the same name holding their references (request.POST), new ones
arrive in request.FILES under that path. The view checks each new file with
`rule = spec.file_rules(path)`, `check_attachment(upload, name=upload.name, kinds=rule.kinds,
max_bytes=rule.max_bytes)` (and the count against `rule.max_files`), stores it and appends its
reference to the posted values before calling `clean_step`.

Errors come keyed by path in page order: a field's own ("contacts.1.mobile"), a group's row count
or total ("contacts"), and `NON_FIELD` ("__all__") for the form. Besides each field's type and
limits, `clean_step` checks bounds set by another answer and a group's total (see below).

Rendering (`{% load formspec %}`, see `templatetags/formspec.py`): `{% formspec_step %}` renders
a step's fields with an error summary at the top, `{% formspec_summary %}` the check-your-answers
list with "修改" links (and, given `errors=validate_complete(...)`, each problem on its row).

## The definition format

    {
      "version": 1,
      "title": "企业投资项目备案",
      "steps": [
        {"key": "applicant", "title": "申请单位", "items": [
          {"key": "company", "label": "单位名称", "type": "text", "max_length": 100},
          {"key": "credit_code", "label": "统一社会信用代码", "type": "credit_code"},
          {"key": "contacts", "label": "项目联系人", "type": "group",
           "min_rows": 1, "max_rows": 5, "fields": [
              {"key": "name", "label": "姓名", "type": "text"},
              {"key": "mobile", "label": "手机号码", "type": "mobile"},
              {"key": "role", "label": "职责", "type": "choice",
               "choices": [{"value": "legal", "label": "法定代表人"}, "经办人"]},
              {"key": "id_number", "label": "身份证号", "type": "id_number",
               "show_if": {"field": "role", "equals": "legal"}}]}]},
        {"key": "project", "title": "项目情况", "items": [
          {"key": "kind", "label": "建设性质", "type": "choice",
           "choices": ["新建", "扩建", "改建", "迁建"]},
          {"key": "foreign", "label": "是否涉及外资", "type": "yesno"},
          {"key": "start", "label": "计划开工日期", "type": "date", "min": "today"},
          {"key": "total", "label": "总投资", "type": "decimal", "unit": "万元",
           "min": 0, "decimal_places": 2},
          {"key": "breakdown", "label": "投资构成", "type": "group", "min_rows": 0,
           "sum": {"field": "amount", "max": {"field": "total"}}, "fields": [
              {"key": "name", "label": "构成项", "type": "text"},
              {"key": "amount", "label": "金额", "type": "decimal", "unit": "万元"}]}]},
        {"key": "foreign_investor", "title": "外资情况",
         "show_if": {"all": [{"field": "foreign", "equals": true},
                             {"any": [{"field": "kind", "in": ["新建", "扩建"]},
                                      {"field": "total", "gte": 5000}]}]},
         "items": [{"key": "country", "label": "投资方国别", "type": "text"}]},
        {"key": "materials", "title": "申请材料", "items": [
          {"key": "plan", "label": "项目建议书", "type": "file",
           "kinds": ["pdf", "docx"], "max_mb": 10, "max_files": 3},
          {"key": "land", "label": "用地证明", "type": "file", "kinds": ["pdf", "image"],
           "required": false, "help": "已取得用地批复的请上传"}]}
      ]
    }

Steps: `key`, `title`, optional `help` and `show_if`, and `items` (fields and groups). Keys are
lower-case identifiers, unique among steps and among the form's top-level fields and groups;
a group's fields have keys unique within the group. Unknown attributes are errors (a misspelt
"requried" must not silently make a field required).

Fields: `key`, `label`, `type`, `required` (default true), `help`, `show_if`, and by type:

    text, textarea, address   min_length, max_length (defaults 200 / 2000 / 200; address min 4)
    integer                   min, max, unit
    decimal                   min, max, unit, decimal_places (default 2)
    date                      min, max: "YYYY-MM-DD" or "today"
                              (min and max may also be another answer: {"field": "total"} —
                              a field of the same kind on an earlier step or the same step, or
                              a sibling in a group row; checked when both are answered)
    choice                    choices (strings, or {"value", "label"}), widget: radio | select
    multichoice               choices, min_choices, max_choices
    yesno, id_number (GB 11643: a 15-digit first-generation number is refused, as core.idcard
    does), credit_code (GB 32100), mobile (+86 and separators accepted, stored as 11 digits),
    email                     —
    file                      kinds: pdf, image (PNG/JPEG), png, jpeg, xlsx, docx, zip;
                              max_mb (default 10, at most 50), max_files (default 1)

Groups: `type: "group"`, `key`, `label`, `help`, `show_if`, `min_rows` (default 0), `max_rows`
(default 20, at most 100), `fields` (not groups: groups do not nest), and optionally `sum`: the
rows' total of a numeric field against a number or another answer, e.g. 投资构成 adding up to
总投资: {"field": "amount", "equals": {"field": "total"}} ("min" and "max" work too).

Conditions (`show_if`) — see `conditions.py`: `{"field": k, "equals" | "not_equals" | "in" |
"contains" | "gt" | "gte" | "lt" | "lte" | "filled": v}` composed with `all`, `any`, `not`,
nested to any depth, with as many branches per question as needed. A step's condition reads
fields of earlier steps; a field's condition reads fields of earlier steps or of its own step
(a cycle is an error); inside a group, a name is first the row's sibling field, then a top-level
field. Conditions cannot read a group's fields from outside it. A hidden field's answer is
dropped, so branches hidden behind hidden answers disappear with them. On a page, a field
following a field of its own step opens and closes as the applicant answers (a small script;
without JavaScript it stays visible with "仅当……时填写" under its label, and the server drops
its answer when the condition is false).
"""

from civicgrid.applications.formspec.cleaning import (
    ACTION_FIELD,
    NON_FIELD,
    FieldRef,
    clean_all,
    clean_step,
    label_of,
    resume_step,
    step_action,
    validate_complete,
    visible_fields,
)
from civicgrid.applications.formspec.definition import (
    Choice,
    Field,
    FileRule,
    FormDefinitionError,
    FormSpec,
    Group,
    Step,
    parse_definition,
)
from civicgrid.applications.formspec.personal import (
    PersonalValue,
    masked_answers,
    personal_values,
    seal_personal,
)
from civicgrid.applications.formspec.schema import answers_schema
from civicgrid.applications.formspec.summary import SummaryRow, answer_summary, display_value

__all__ = [
    "ACTION_FIELD",
    "NON_FIELD",
    "Choice",
    "Field",
    "FieldRef",
    "FileRule",
    "FormDefinitionError",
    "FormSpec",
    "Group",
    "PersonalValue",
    "Step",
    "SummaryRow",
    "answer_summary",
    "answers_schema",
    "clean_all",
    "clean_step",
    "display_value",
    "label_of",
    "masked_answers",
    "parse_definition",
    "personal_values",
    "resume_step",
    "seal_personal",
    "step_action",
    "validate_complete",
    "visible_fields",
]
