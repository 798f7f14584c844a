"""The filter form of the staff audit search page."""

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from civicgrid.core.audit.choices import AuditAction
from civicgrid.core.division_codes import InvalidDivisionCode, normalize_code


class AuditSearchForm(forms.Form):
    """Every filter is optional and exact (except dates and the division subtree), so each one
    is answered from an index however long the trail grows."""

    action = forms.ChoiceField(
        label=_("操作"), required=False, choices=[("", _("全部")), *AuditAction.choices]
    )
    date_from = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    actor = forms.CharField(label=_("操作人用户名"), required=False, max_length=150)
    subject_key = forms.CharField(label=_("当事人标识"), required=False, max_length=128)
    target_type = forms.CharField(label=_("对象类型"), required=False, max_length=100)
    target_id = forms.CharField(label=_("对象编号"), required=False, max_length=64)
    request_id = forms.CharField(label=_("请求编号"), required=False, max_length=64)
    division_code = forms.CharField(
        label=_("区划代码"),
        required=False,
        max_length=12,
        help_text=_("含下级区划，可填 2、4、6、9 或 12 位"),
    )
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")  # Chinese labels stand alone, without a colon
        super().__init__(*args, **kwargs)

    def clean_division_code(self) -> str:
        raw = self.cleaned_data["division_code"].strip()
        if not raw:
            return ""
        try:
            return normalize_code(raw)
        except InvalidDivisionCode as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start: date | None = cleaned.get("date_from")
        end: date | None = cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("截止日期不能早于起始日期"))
        return cleaned
