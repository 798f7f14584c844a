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


class MobileForm(forms.Form):
    mobile = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=_("短信验证码"),
        regex=r"^\s*[0-9]{6}\s*$",
        error_messages={"invalid": _("请输入短信中的 6 位数字验证码")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
