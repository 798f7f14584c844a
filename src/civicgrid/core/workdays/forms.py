from django import forms
from django.utils.translation import gettext_lazy as _


class EnterYearForm(forms.Form):
    """The bulk form: one year of the State Council's announcement, a line per date."""

    year = forms.IntegerField(label=_("年份"), min_value=2000, max_value=2099)
    source = forms.CharField(label=_("依据（通知文号）"), max_length=200, required=False)
    text = forms.CharField(
        label=_("日期清单"),
        widget=forms.Textarea(attrs={"rows": 20, "cols": 60}),
        help_text=_(
            "每行一个日期：日期 类型 名称，如“2027-01-01 holiday 元旦”或“2027-02-06 workday 春节调休”。"
            "类型可写 holiday/放假 或 workday/调休上班。保存后替换该年已录入的全部日期。"
        ),
    )
