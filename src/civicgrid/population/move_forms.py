"""Forms for changing a person on the grid worker's phone: their mobile and tags, a move to
another household, a move out, a death, a split."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from civicgrid.population.choices import PersonStatus, PersonTag, Relationship
from civicgrid.population.grid_forms import MemberChoiceField, OneMemberField
from civicgrid.population.models import Household, Person
from civicgrid.population.selectors import visible_grids
from civicgrid.regions.models import Grid

REASON = forms.CharField(
    label=_("原因（选填）"),
    required=False,
    max_length=200,
    widget=forms.TextInput(attrs={"placeholder": _("如：结婚后另立户、外出务工")}),
)


class ContactForm(forms.Form):
    """A new mobile (blank keeps the one on record, which the page does not show in full) and
    the whole set of tags, as the grid worker found them: an elderly person now living alone,
    a key person whose follow-up has ended."""

    mobile = forms.CharField(
        label=_("新手机号（不修改请留空）"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    tags = forms.MultipleChoiceField(
        label=_("标签"),
        choices=PersonTag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("没有“%(value)s”这个标签")},
    )
    reason = REASON


class GridForm(forms.Form):
    """Another grid of the household's community."""

    grid = forms.ModelChoiceField(
        label=_("调整到网格"),
        queryset=Grid.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("请选择本社区/村的网格")},
    )
    reason = REASON

    def __init__(self, *args: Any, household: Household, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        grids = Grid.objects.filter(division_code=household.division_code).order_by("number")
        self.fields["grid"].queryset = grids
        self.fields["grid"].initial = household.grid_id


class MoveForm(forms.Form):
    """Into another household the mover sees, with the person's relationship to its head."""

    household = forms.IntegerField(widget=forms.HiddenInput)
    relationship = forms.ChoiceField(label=_("与新户户主的关系"), choices=Relationship.choices)
    reason = REASON


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=PersonStatus.choices, widget=forms.HiddenInput)
    reason = REASON


class SplitForm(forms.Form):
    """分户: who leaves, who heads the new household, where it is; and, when the old head
    leaves, who heads the old one."""

    members = MemberChoiceField(
        label=_("分出去的成员"),
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("请选择分出去的成员"),
            "invalid_choice": _("分出去的必须是本户在住成员"),
        },
    )
    head = OneMemberField(
        label=_("新户户主"),
        queryset=Person.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": _("请选择新户户主"),
            "invalid_choice": _("新户户主必须是分出去的成员之一"),
        },
    )
    remaining_head = OneMemberField(
        label=_("原户新户主（原户主分出时填写）"),
        queryset=Person.objects.none(),
        widget=forms.RadioSelect,
        required=False,
        empty_label=None,
    )
    building = forms.CharField(label=_("楼栋"), max_length=30, required=False)
    unit = forms.CharField(label=_("单元"), max_length=20, required=False)
    room = forms.CharField(
        label=_("门牌/房号"), max_length=30, error_messages={"required": _("请填写新户的门牌/房号")}
    )
    grid = forms.ModelChoiceField(
        label=_("网格"),
        queryset=Grid.objects.none(),
        empty_label=None,
        widget=forms.Select(attrs={"class": "gw-select"}),
    )
    reason = REASON

    def __init__(self, *args: object, household: Household, principal: object, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        living = Person.objects.filter(household=household).living().family_order()
        for name in ("members", "head", "remaining_head"):
            self.fields[name].queryset = living  # type: ignore[attr-defined]
        grids = visible_grids(principal).filter(division_id=household.division_code)  # type: ignore[arg-type]
        self.fields["grid"].queryset = grids  # type: ignore[attr-defined]
        self.fields["grid"].initial = household.grid_id
        self.fields["building"].initial = household.building
        self.fields["unit"].initial = household.unit

    def action_arguments(self) -> dict[str, object]:
        """Keyword arguments for `do_split_household`."""
        data = self.cleaned_data
        return {
            "members": list(data["members"]),
            "head": data["head"],
            "remaining_head": data.get("remaining_head"),
            "building": data["building"].strip(),
            "unit": data["unit"].strip(),
            "room": data["room"].strip(),
            "grid": data["grid"],
            "reason": data["reason"].strip(),
        }


# Which form field an action's ValidationError is about, by its code.
SPLIT_ERROR_FIELDS = {"members": "members", "head": "head", "remaining_head": "remaining_head",
                      "room": "room"}  # fmt: skip
