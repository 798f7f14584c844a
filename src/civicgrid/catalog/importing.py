"""Reading a catalogue spreadsheet into checked rows: every problem by row and column.

The sheet has one item per row under Chinese headings (the template the import page offers):

    事项编码 · 事项名称 · 事项类型 · 实施部门 · 实施层级/区划代码 · 设定依据 · 受理条件 ·
    法定时限 · 承诺时限 · 收费 · 办理渠道 · 到现场次数 · 网办深度 · 申请材料 · 人生事件 · 常见问题

申请材料 lists materials separated by ；, each with optional marks in brackets:
`营业执照【电子证照:business_licence】；法定代表人身份证【原件】；授权委托书【非必需】`.
常见问题 lists `问题？回答` pairs separated by ；. 人生事件 names existing life events (、 or ；).

`parse_table` checks everything before anything is written; `catalog.actions.do_import_catalog`
writes only a file without a single problem (all or nothing).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.accounts.choices import OrganisationType, Role
from civicgrid.accounts.models import ApiToken, Organisation, User
from civicgrid.catalog.choices import ItemKind, ItemStatus, OnlineDepth
from civicgrid.catalog.models import LifeEvent, ServiceItem
from civicgrid.core import division_codes
from civicgrid.core.scoping import covers
from civicgrid.core.spreadsheets import Column, Record, Table, read_table, write_report

# A province's whole catalogue is a few thousand rows and well under a megabyte.
MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_LIMIT_DAYS = 365
MAX_HALL_VISITS = 9
MAX_FEE = Decimal(10) ** 8  # ServiceItem.fee has 10 digits, 2 of them decimals
PROGRESS_ROWS = 200
CODE_PATTERN = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_-]{0,39}$")

COLUMNS = [
    Column("code", gettext_lazy("事项编码"), ("事项编码", "编码", "code")),
    Column("name", gettext_lazy("事项名称"), ("事项名称", "名称", "name")),
    Column("kind", gettext_lazy("事项类型"), ("事项类型", "类型", "kind")),
    Column("department", gettext_lazy("实施部门"), ("实施部门", "实施主体", "部门")),
    Column(
        "division",
        gettext_lazy("实施层级/区划代码"),
        ("实施层级/区划代码", "区划代码", "实施区划", "实施层级"),
        required=False,
    ),
    Column("legal_basis", gettext_lazy("设定依据"), ("设定依据", "法律依据"), required=False),
    Column("conditions", gettext_lazy("受理条件"), ("受理条件", "申请条件"), required=False),
    Column("legal_limit", gettext_lazy("法定时限"), ("法定时限", "法定办结时限")),
    Column("promised_limit", gettext_lazy("承诺时限"), ("承诺时限", "承诺办结时限")),
    Column("fee", gettext_lazy("收费"), ("收费", "收费标准", "收费金额"), required=False),
    Column("channels", gettext_lazy("办理渠道"), ("办理渠道", "办理方式"), required=False),
    Column(
        "hall_visits", gettext_lazy("到现场次数"), ("到现场次数", "到办事现场次数"), required=False
    ),
    Column("depth", gettext_lazy("网办深度"), ("网办深度", "网上办理深度"), required=False),
    Column("materials", gettext_lazy("申请材料"), ("申请材料", "材料"), required=False),
    Column(
        "life_events",
        gettext_lazy("人生事件"),
        ("人生事件", "企业事件", "办事场景", "人生事件/企业事件"),
        required=False,
    ),
    Column("faq", gettext_lazy("常见问题"), ("常见问题",), required=False),
    Column("status", gettext_lazy("状态"), ("状态", "事项状态"), required=False),
]
LABELS = {c.key: c.label for c in COLUMNS}

_SEPARATORS = re.compile(r"[；;\n]+")
_EVENT_SEPARATORS = re.compile(r"[；;、,，\n]+")
_MARKS = re.compile(r"[【\[（(]([^】\]）)]*)[】\]）)]\s*$")
_LEADING_INT = re.compile(r"^\s*(\d+)\s*(个)?\s*(工作日|天|日)?\s*$")

CHANNELS = {
    "网上": "online",
    "网上办理": "online",
    "在线": "online",
    "网办": "online",
    "窗口": "in_person",
    "窗口办理": "in_person",
    "现场": "in_person",
    "大厅": "in_person",
    "预约": "by_appointment",
    "预约办理": "by_appointment",
    "邮寄": "by_mail",
    "邮寄办理": "by_mail",
    "快递": "by_mail",
    "电话": "by_phone",
    "电话办理": "by_phone",
}
CHANNEL_FIELDS = ("online", "in_person", "by_appointment", "by_mail", "by_phone")
DEPTHS = {
    "一级": 1,
    "二级": 2,
    "三级": 3,
    "四级": 4,
    "全程网办": 4,
    "在线预审": 3,
    "网上受理": 3,
    "在线下载表格": 2,
    "信息公开": 1,
}
FREE = {"", "0", "不收费", "免费", "无", "否", "0元"}


@dataclass(frozen=True)
class Problem:
    """One problem of the file: its row as the spreadsheet shows it (0: the whole file)."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = _("第 %(row)d 行") % {"row": self.row} if self.row else _("文件")
        return (
            f"{where}「{self.column}」：{self.message}"
            if self.column
            else f"{where}：{self.message}"
        )


@dataclass(frozen=True)
class MaterialRow:
    name: str
    required: bool = True
    original_check: bool = False
    certificate_type: str = ""


@dataclass
class ItemRow:
    """A checked row: the item's values as `ServiceItem` fields, ready to write."""

    number: int
    code: str
    name: str
    kind: str
    department: Organisation
    legal_limit_days: int
    promised_limit_days: int
    legal_basis: str = ""
    conditions: str = ""
    fee: Decimal = Decimal("0")
    fee_basis: str = ""
    online: bool = True
    in_person: bool = True
    by_appointment: bool = False
    by_mail: bool = False
    by_phone: bool = False
    hall_visits: int = 0
    online_depth: int = OnlineDepth.SUBMISSION
    status: str = ItemStatus.PUBLISHED
    faq: list[dict[str, str]] = field(default_factory=list)
    materials: list[MaterialRow] = field(default_factory=list)
    life_events: list[LifeEvent] = field(default_factory=list)

    ITEM_FIELDS = (
        "name", "kind", "department", "legal_limit_days", "promised_limit_days", "legal_basis",
        "conditions", "fee", "fee_basis", *CHANNEL_FIELDS, "hall_visits", "online_depth",
        "status", "faq",
    )  # fmt: skip


def read_catalog_table(data: bytes, filename: str) -> Table:
    """The file's rows under `COLUMNS`, or SpreadsheetError for the file as a whole."""
    return read_table(data, filename, COLUMNS, max_bytes=MAX_IMPORT_BYTES)


# --- the actor's remit ------------------------------------------------------------------------


# Who imports: a person, another system's API token, or None for the system itself.
Importer = User | ApiToken

# Organisations whose API tokens may import their own items (the types that hold clerks).
IMPORTING_TOKEN_TYPES = frozenset({OrganisationType.DEPARTMENT, OrganisationType.TAX_OFFICE})


def may_import_for(actor: Importer | None, department: Organisation) -> bool:
    """The system and superusers: any department; administrators: departments inside their
    jurisdiction; department clerks: their own department only; an API token: the items of
    its own organisation, when that is a department inside the token's jurisdiction."""
    if actor is None:
        return True
    if isinstance(actor, ApiToken):
        return (
            actor.organisation_id == department.pk
            and actor.organisation.type in IMPORTING_TOKEN_TYPES
            and covers(actor, department.division_code)
        )
    if actor.is_superuser:
        return True
    if actor.has_role(Role.ADMINISTRATOR) and covers(actor, department.division_code):
        return True
    return any(
        m.role == Role.DEPARTMENT_CLERK and m.organisation_id == department.pk
        for m in actor.active_memberships
    )


def may_import(actor: Importer) -> bool:
    """Whether `actor` may import at all (open the page, call the API)."""
    if isinstance(actor, ApiToken):
        return actor.organisation.type in IMPORTING_TOKEN_TYPES
    return actor.is_superuser or actor.has_role(Role.ADMINISTRATOR, Role.DEPARTMENT_CLERK)


# --- parsing ----------------------------------------------------------------------------------


class _Lookups:
    """Everything rows refer to, read once per file."""

    def __init__(self, records: list[Record]) -> None:
        names = {r["department"] for r in records if r["department"]}
        self.departments: dict[str, list[Organisation]] = {}
        for org in Organisation.objects.filter(name__in=names, is_active=True):
            self.departments.setdefault(org.name, []).append(org)
        self.life_events = {e.name: e for e in LifeEvent.objects.all()}
        self.kinds = {str(label): value for value, label in ItemKind.choices}
        self.kinds.update({value: value for value in ItemKind.values})
        self.statuses = {str(label): value for value, label in ItemStatus.choices}
        self.statuses.update({value: value for value in ItemStatus.values})
        codes = {r["code"] for r in records if r["code"]}
        self.existing = {
            i.code: i
            for i in ServiceItem.objects.filter(code__in=codes).select_related("department")
        }


class _RowParser:
    def __init__(self, record: Record, lookups: _Lookups, actor: Importer | None) -> None:
        self.record = record
        self.lookups = lookups
        self.actor = actor
        self.problems: list[Problem] = []

    def problem(self, key: str, message: str) -> None:
        self.problems.append(Problem(self.record.number, str(LABELS[key]), message))

    def text(self, key: str, *, required: bool = False, max_length: int = 0) -> str:
        value = self.record[key]
        if required and not value:
            self.problem(key, _("必填，不能为空"))
        elif max_length and len(value) > max_length:
            self.problem(key, _("不能超过 %(n)d 个字") % {"n": max_length})
        return value

    def days(self, key: str) -> int | None:
        value = self.record[key]
        match = _LEADING_INT.match(value)
        if not value:
            self.problem(key, _("必填，请填写工作日数"))
        elif not match:
            self.problem(key, _("“%(v)s”不是工作日数（应为整数，如 20）") % {"v": value})
        elif not 0 <= int(match.group(1)) <= MAX_LIMIT_DAYS:
            self.problem(key, _("应在 0 到 %(max)d 个工作日之间") % {"max": MAX_LIMIT_DAYS})
        else:
            return int(match.group(1))
        return None

    def parse(self) -> ItemRow | None:
        code = self.text("code", required=True)
        if code and not CODE_PATTERN.match(code):
            self.problem("code", _("只能由字母、数字、“-”和“_”组成，最长 40 位"))
        name = self.text("name", required=True, max_length=200)
        kind = self._kind()
        department = self._department()
        legal, promised = self.days("legal_limit"), self.days("promised_limit")
        if legal is not None and promised is not None and promised > legal:
            self.problem(
                "promised_limit",
                _("承诺时限 %(p)d 个工作日超过了法定时限 %(l)d 个工作日")
                % {"p": promised, "l": legal},
            )
        fee, fee_basis = self._fee()
        channels = self._channels()
        visits = self._hall_visits()
        depth = self._depth()
        status = self._status()
        row_values = {
            "legal_basis": self.text("legal_basis"),
            "conditions": self.text("conditions"),
            "faq": self._faq(),
            "materials": self._materials(),
            "life_events": self._life_events(),
        }
        if self.problems or department is None or legal is None or promised is None:
            return None
        return ItemRow(
            number=self.record.number,
            code=code,
            name=name,
            kind=kind,
            department=department,
            legal_limit_days=legal,
            promised_limit_days=promised,
            fee=fee,
            fee_basis=fee_basis,
            hall_visits=visits,
            online_depth=depth,
            status=status,
            **channels,
            **row_values,
        )

    def _kind(self) -> str:
        value = self.text("kind", required=True)
        if value and value not in self.lookups.kinds:
            self.problem(
                "kind",
                _("“%(v)s”不是有效的事项类型，可填：%(choices)s")
                % {"v": value, "choices": "、".join(str(label) for label in ItemKind.labels)},
            )
        return self.lookups.kinds.get(value, "")

    def _department(self) -> Organisation | None:
        name = self.text("department", required=True)
        if not name:
            return None
        candidates = self.lookups.departments.get(name, [])
        division = self.record["division"]
        if division:
            try:
                code = division_codes.normalize_code(division)
            except division_codes.InvalidDivisionCode:
                self.problem("division", _("“%(v)s”不是有效的区划代码") % {"v": division})
                return None
            candidates = [c for c in candidates if c.division_code == code]
        if not candidates:
            self.problem("department", _("找不到机构“%(v)s”，请先在系统中建立该部门") % {"v": name})
            return None
        if len(candidates) > 1:
            self.problem(
                "division", _("有多个名为“%(v)s”的机构，请填写区划代码加以区分") % {"v": name}
            )
            return None
        department = candidates[0]
        existing = self.lookups.existing.get(self.record["code"])
        if not may_import_for(self.actor, department) or (
            existing is not None and not may_import_for(self.actor, existing.department)
        ):
            self.problem("department", _("您无权导入或修改“%(v)s”的事项") % {"v": name})
            return None
        return department

    def _fee(self) -> tuple[Decimal, str]:
        value = self.record["fee"]
        if value in FREE:
            return Decimal("0"), ""
        number = re.match(r"^\s*(\d+(\.\d{1,2})?)\s*元?\s*(.*)$", value, re.S)
        if not number:
            self.problem("fee", _("“%(v)s”不是金额（如 0、不收费、120 元）") % {"v": value})
            return Decimal("0"), ""
        try:
            amount = Decimal(number.group(1))
        except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
            self.problem("fee", _("金额无效"))
            return Decimal("0"), ""
        if amount >= MAX_FEE:
            self.problem("fee", _("金额不能超过 %(max)s 元") % {"max": MAX_FEE - 1})
            return Decimal("0"), ""
        return amount, number.group(3).strip(" ，,；;")

    def _channels(self) -> dict[str, bool]:
        value = self.record["channels"]
        if not value:
            return {"online": True, "in_person": True}
        found = dict.fromkeys(CHANNEL_FIELDS, False)
        for part in _EVENT_SEPARATORS.split(value):
            part = part.strip()
            if not part:
                continue
            if part not in CHANNELS:
                self.problem(
                    "channels",
                    _("不认识的办理渠道“%(v)s”，可填：网上、窗口、预约、邮寄、电话") % {"v": part},
                )
                continue
            found[CHANNELS[part]] = True
        return found

    def _hall_visits(self) -> int:
        value = self.record["hall_visits"]
        if not value:
            return 0
        match = re.match(r"^\s*(\d+)\s*次?\s*$", value)
        if not match or int(match.group(1)) > MAX_HALL_VISITS:
            self.problem("hall_visits", _("应为 0 到 %(max)d 的整数") % {"max": MAX_HALL_VISITS})
            return 0
        return int(match.group(1))

    def _depth(self) -> int:
        value = self.record["depth"].replace(" ", "")
        if not value:
            return OnlineDepth.SUBMISSION
        if value.isdigit() and int(value) in OnlineDepth.values:
            return int(value)
        for word, depth in DEPTHS.items():
            if value.startswith(word):
                return depth
        self.problem("depth", _("“%(v)s”不是网办深度（填一级到四级，或 1 到 4）") % {"v": value})
        return OnlineDepth.SUBMISSION

    def _status(self) -> str:
        value = self.record["status"]
        if not value:
            return ItemStatus.PUBLISHED
        if value not in self.lookups.statuses:
            self.problem(
                "status", _("“%(v)s”不是有效的状态（已发布、草稿、已停用）") % {"v": value}
            )
            return ItemStatus.PUBLISHED
        return self.lookups.statuses[value]

    def _materials(self) -> list[MaterialRow]:
        materials: list[MaterialRow] = []
        for part in _SEPARATORS.split(self.record["materials"]):
            part = part.strip()
            if not part:
                continue
            material = parse_material(part)
            if material is None:
                self.problem("materials", _("材料“%(v)s”的标注无法识别") % {"v": part})
            elif len(material.name) > 200:
                self.problem("materials", _("材料名称不能超过 200 个字"))
            elif any(m.name == material.name for m in materials):
                self.problem("materials", _("材料“%(v)s”重复") % {"v": material.name})
            else:
                materials.append(material)
        return materials

    def _life_events(self) -> list[LifeEvent]:
        events = []
        for part in _EVENT_SEPARATORS.split(self.record["life_events"]):
            part = part.strip()
            if not part:
                continue
            event = self.lookups.life_events.get(part)
            if event is None:
                self.problem("life_events", _("没有名为“%(v)s”的人生事件或企业事件") % {"v": part})
            elif event not in events:
                events.append(event)
        return events

    def _faq(self) -> list[dict[str, str]]:
        entries = []
        for part in _SEPARATORS.split(self.record["faq"]):
            part = part.strip()
            if not part:
                continue
            question, mark, answer = part.partition("？")
            if not mark or not answer.strip():
                self.problem("faq", _("“%(v)s”应写成“问题？回答”") % {"v": part[:30]})
                continue
            entries.append({"q": question.strip() + "？", "a": answer.strip()})
        return entries


def parse_material(text: str) -> MaterialRow | None:
    """`营业执照【电子证照:business_licence，原件】` → MaterialRow; None for unknown marks."""
    name, required, original, certificate = text.strip(), True, False, ""
    match = _MARKS.search(name)
    if match:
        name = name[: match.start()].strip()
        for mark in re.split(r"[,，、;；\s]+", match.group(1)):
            if not mark:
                continue
            key, _sep, value = mark.replace("：", ":").partition(":")
            if key in ("原件", "原件核验", "需核验原件", "核验原件"):
                original = True
            elif key in ("非必需", "可选", "选填", "非必要"):
                required = False
            elif key in ("电子证照", "证照") and re.match(r"^[a-z][a-z0-9_]{1,39}$", value):
                certificate = value
            else:
                return None
    return MaterialRow(name, required, original, certificate) if name else None


def material_text(material: MaterialRow) -> str:
    """The cell text of a material (the inverse of `parse_material`), for templates and exports."""
    marks = []
    if material.certificate_type:
        marks.append(f"电子证照:{material.certificate_type}")
    if material.original_check:
        marks.append("原件")
    if not material.required:
        marks.append("非必需")
    return f"{material.name}【{'，'.join(marks)}】" if marks else material.name


def parse_table(
    table: Table, actor: Importer | None, *, on_rows: Callable[[int], None] | None = None
) -> tuple[list[ItemRow], list[Problem]]:
    """Checked rows and every problem of the file (rows with problems are not returned).

    `on_rows(n)` is told every `PROGRESS_ROWS` rows (and at the end) how many more are checked.
    """
    if len(table.records) > MAX_ROWS:
        return [], [Problem(0, "", _("一次最多导入 %(n)d 行") % {"n": MAX_ROWS})]
    lookups = _Lookups(table.records)
    rows: list[ItemRow] = []
    problems: list[Problem] = []
    first_row_of: dict[str, int] = {}
    for position, record in enumerate(table.records, start=1):
        if on_rows is not None and position % PROGRESS_ROWS == 0:
            on_rows(PROGRESS_ROWS)
        parser = _RowParser(record, lookups, actor)
        row = parser.parse()
        code = record["code"]
        if code and code in first_row_of:
            parser.problem("code", _("与第 %(row)d 行的事项编码重复") % {"row": first_row_of[code]})
            row = None
        elif code:
            first_row_of[code] = record.number
        problems.extend(parser.problems)
        if row is not None:
            rows.append(row)
    if on_rows is not None and len(table.records) % PROGRESS_ROWS:
        on_rows(len(table.records) % PROGRESS_ROWS)
    return rows, problems


def problems_text(problems: Iterable[Problem]) -> list[str]:
    return [str(p) for p in problems]


REPORT_HEADERS = (
    gettext_lazy("行号"),
    gettext_lazy("事项编码"),
    gettext_lazy("事项名称"),
    gettext_lazy("列"),
    gettext_lazy("问题"),
)


def problem_report(problems: Iterable[Problem], table: Table | None) -> bytes:
    """The .xlsx of every problem: one line per problem with the row's code and name, so a
    row with three problems appears three times, each naming its column."""
    records = {r.number: r for r in table.records} if table is not None else {}

    def lines() -> Iterable[list[object]]:
        for p in problems:
            record = records.get(p.row)
            yield [
                p.row or "",
                record["code"] if record else "",
                record["name"] if record else "",
                p.column,
                p.message,
            ]

    return write_report(lines(), REPORT_HEADERS, title=_("问题清单"))
