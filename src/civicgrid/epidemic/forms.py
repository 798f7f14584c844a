"""Page forms: the designer's (form, element, rule), the day picker and a report's figures."""

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.choices import OrganisationType
from civicgrid.epidemic.choices import (
    ElementKind,
    ElementType,
    LineListSource,
    RuleKind,
    RuleSeverity,
)
from civicgrid.epidemic.models import DataElement, ReportForm
from civicgrid.epidemic.remit import local_today


class ReportFormForm(forms.Form):
    code = forms.SlugField(
        label=_("表单代码"), max_length=40, help_text=_("英文字母、数字、连字符；创建后不可修改")
    )
    name = forms.CharField(label=_("表单名称"), max_length=100)
    description = forms.CharField(label=_("说明"), max_length=300, required=False)
    division = forms.CharField(
        label=_("适用区划代码"), max_length=12, help_text=_("如 13（全省）、131128（阜城县）")
    )
    organisation_types = forms.MultipleChoiceField(
        label=_("填报机构类型"),
        choices=OrganisationType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    deadline_hour = forms.IntegerField(
        label=_("每日截止时间（时）"), min_value=1, max_value=24, initial=10
    )
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)


class ElementForm(forms.Form):
    code = forms.SlugField(label=_("指标代码"), max_length=40)
    name = forms.CharField(label=_("指标名称"), max_length=60)
    type = forms.ChoiceField(label=_("数据类型"), choices=ElementType.choices)
    kind = forms.ChoiceField(label=_("统计方式"), choices=ElementKind.choices)
    unit = forms.CharField(label=_("单位"), max_length=10, required=False, initial="人")
    required = forms.BooleanField(label=_("必填"), required=False, initial=True)
    order = forms.IntegerField(label=_("顺序"), min_value=0, max_value=999, initial=0)
    line_list_source = forms.ChoiceField(
        label=_("个案预填来源"),
        choices=LineListSource.choices,
        required=False,
        help_text=_("填报时按本单位的个案信息预填此数（仍可修改）"),
    )


class RuleForm(forms.Form):
    kind = forms.ChoiceField(label=_("规则类型"), choices=RuleKind.choices)
    left = forms.ModelChoiceField(
        label=_("左项"),
        queryset=DataElement.objects.none(),
        required=False,
        empty_label=_("（全部指标）"),
    )
    right = forms.ModelChoiceField(
        label=_("右项"), queryset=DataElement.objects.none(), required=False
    )
    severity = forms.ChoiceField(label=_("处理方式"), choices=RuleSeverity.choices)
    message = forms.CharField(label=_("自定义提示（可不填）"), max_length=200, required=False)

    def __init__(self, *args: Any, form: ReportForm, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        elements = form.elements.filter(is_active=True)
        self.fields["left"].queryset = elements  # type: ignore[attr-defined]
        self.fields["right"].queryset = elements  # type: ignore[attr-defined]


def parse_day(raw: str | None, *, default: datetime.date | None = None) -> datetime.date:
    """A date from a query string, today (Asia/Shanghai) when absent or malformed."""
    try:
        return datetime.date.fromisoformat(raw or "")
    except ValueError:
        return default or local_today()


def figures_from(post: Any, elements: list[DataElement]) -> dict[str, str]:
    """The figures a report form posted, by element code (blank ones included as blank)."""
    return {e.code: post.get(f"v_{e.code}", "") for e in elements}
