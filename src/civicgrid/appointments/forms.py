from django import forms
from django.utils.translation import gettext_lazy as _


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消原因（选填）"), max_length=200, required=False)


class AppealForm(forms.Form):
    text = forms.CharField(
        label=_("申诉理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 5})
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("处理结果"), choices=[("grant", _("同意，解除限制")), ("refuse", _("驳回"))]
    )
    reason = forms.CharField(label=_("处理意见"), max_length=200)


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=_("预约码"),
        max_length=300,
        help_text=_("用扫码枪扫描预约人出示的二维码，或输入预约号（YY 开头）"),
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )


class ClosureForm(forms.Form):
    date = forms.DateField(label=_("闭厅日期"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("原因"), max_length=100)
