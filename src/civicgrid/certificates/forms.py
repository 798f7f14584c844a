"""Forms of the issuing department's pages; rules live in `certificates.actions`."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.choices import OrganisationType, Role
from civicgrid.accounts.models import Organisation, User
from civicgrid.certificates.actions import MAX_FIELD_LENGTH, MAX_REASON_LENGTH, MAX_VALID_DAYS
from civicgrid.certificates.choices import HolderKind
from civicgrid.certificates.models import CertificateType
from civicgrid.core.credit_code import normalize_credit_code
from civicgrid.core.idcard import normalize_id_number

FIELD_PREFIX = "field_"


class TypeChoiceForm(forms.Form):
    type = forms.ModelChoiceField(
        label=_("证照类型"),
        queryset=CertificateType.objects.none(),
        to_field_name="code",
        error_messages={
            "required": _("请选择证照类型。"),
            "invalid_choice": _("您所在的机构不能签发该类型的证照。"),
        },
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        types = CertificateType.objects.filter(is_active=True)
        if not user.is_superuser:
            kinds = {
                m.organisation.type
                for m in user.active_memberships
                if m.role == Role.DEPARTMENT_CLERK
            }
            types = types.filter(issuer_type__in=kinds)
        self.fields["type"].queryset = types


class IssueForm(forms.Form):
    """The holder (found by the number they registered with) and the type's fields."""

    holder_number = forms.CharField(label=_("证件号码"), max_length=30)
    subject_name = forms.CharField(label=_("持证主体名称"), max_length=100)
    valid_days = forms.IntegerField(
        label=_("有效天数"), required=False, min_value=1, max_value=MAX_VALID_DAYS
    )

    def __init__(self, *args: Any, certificate_type: CertificateType, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.certificate_type = certificate_type
        resident = certificate_type.holder_kind == HolderKind.RESIDENT
        self.fields["holder_number"].label = (
            _("公民身份号码") if resident else _("统一社会信用代码")
        )
        self.fields["subject_name"].label = _("姓名") if resident else _("企业名称")
        self.fields["valid_days"].help_text = (
            _("留空按默认：%d 天") % certificate_type.default_valid_days
            if certificate_type.default_valid_days
            else _("留空为长期有效")
        )
        for key, label in certificate_type.field_labels:
            self.fields[FIELD_PREFIX + key] = forms.CharField(
                label=label, max_length=MAX_FIELD_LENGTH
            )
        self.holder: Any = None
        for field in self.fields.values():
            field.error_messages["required"] = _("请填写%s。") % field.label
            field.error_messages["max_length"] = _("%(label)s不能超过 %%(limit_value)d 个字。") % {
                "label": field.label
            }

    def clean_holder_number(self) -> str:
        raw = self.cleaned_data["holder_number"]
        if self.certificate_type.holder_kind == HolderKind.RESIDENT:
            number = normalize_id_number(raw)
            self.holder = User.objects.filter(id_number=number, is_active=True).first()
            if self.holder is None:
                raise ValidationError(_("没有以该公民身份号码登记的居民账号，持证人需先注册。"))
        else:
            number = normalize_credit_code(raw)
            self.holder = Organisation.objects.filter(
                credit_code=number, type=OrganisationType.ENTERPRISE, is_active=True
            ).first()
            if self.holder is None:
                raise ValidationError(_("平台上没有登记该统一社会信用代码的企业。"))
        return number

    def action_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        resident = self.certificate_type.holder_kind == HolderKind.RESIDENT
        return {
            "type_code": self.certificate_type.code,
            "holder_user": self.holder if resident else None,
            "holder_organisation": None if resident else self.holder,
            "subject_name": data["subject_name"],
            "subject_number": data["holder_number"],
            "fields": {k: data[FIELD_PREFIX + k] for k in self.certificate_type.field_keys},
            "valid_days": data.get("valid_days"),
            "source": "desk",
        }

    def attach(self, exc: ValidationError) -> None:
        """Put an action's errors beside the fields they name."""
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        for key, texts in errors.items():
            field = {"subject_number": "holder_number"}.get(key, key)
            if field.startswith("fields."):
                field = FIELD_PREFIX + field.removeprefix("fields.")
            self.add_error(field if field in self.fields else None, texts)


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("撤销原因"),
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("请填写撤销原因。"),
            "max_length": _("撤销原因不能超过 %(limit_value)d 个字。"),
        },
    )
