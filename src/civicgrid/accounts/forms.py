from django import forms
from django.utils.translation import gettext_lazy as _


class PasswordSignInForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    password = forms.CharField(label=_("密码"), strip=False, widget=forms.PasswordInput)


class TotpForm(forms.Form):
    code = forms.RegexField(
        label=_("动态口令"),
        regex=r"^\s*[0-9]{6}\s*$",
        error_messages={"invalid": _("请输入 6 位数字动态口令")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("用途名称"), max_length=100)
