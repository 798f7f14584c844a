from django import forms
from django.utils.translation import gettext_lazy as _

from civicgrid.population.choices import Relationship


class DeclarationForm(forms.Form):
    community = forms.CharField(
        label=_("社区/村"), max_length=50, help_text=_("填写社区或村的名称，或 12 位区划代码")
    )
    building = forms.CharField(label=_("楼栋"), max_length=30, required=False)
    unit = forms.CharField(label=_("单元"), max_length=20, required=False)
    room = forms.CharField(label=_("门牌/房号"), max_length=30)
    contact_mobile = forms.CharField(label=_("联系电话"), max_length=20, required=False)


class MemberForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(label=_("公民身份号码"), max_length=30)
    relationship = forms.ChoiceField(label=_("与户主关系"), choices=Relationship.choices)
    is_declarant = forms.BooleanField(label=_("这是我本人"), required=False)


MemberFormSet = forms.formset_factory(MemberForm, extra=0, min_num=1, max_num=20, validate_min=True)


class ReturnForm(forms.Form):
    note = forms.CharField(label=_("退回原因"), max_length=200)
