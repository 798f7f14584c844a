"""Forms of the grid worker's pages: the search box and the screening-visit form."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.population.choices import PersonTag, VisitMethod
from civicgrid.population.models import Household, Person

YES_NO = [("no", _("无")), ("yes", _("有"))]
OVERDUE_CHOICES = [3, 7, 14, 30]
KEY_PERSON_CHOICES = [1, 3, 7]


class GridSearchForm(forms.Form):
    """One box (name, pinyin initials, address, last 4 digits of a mobile), a tag, a grid."""

    q = forms.CharField(required=False, max_length=50)
    tag = forms.ChoiceField(required=False, choices=[("", _("全部")), *PersonTag.choices])
    grid = forms.IntegerField(required=False, min_value=1)
    page = forms.IntegerField(required=False, min_value=1)

    def params(self) -> dict[str, object]:
        """The valid parameters; a malformed one is dropped rather than failing the page."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


class MemberLabel:
    """A household member as a choice: name and relationship to the head."""

    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.name}（{obj.get_relationship_display()}）"


class MemberChoiceField(MemberLabel, forms.ModelMultipleChoiceField):
    pass


class OneMemberField(MemberLabel, forms.ModelChoiceField):
    pass


class VisitForm(forms.Form):
    """A screening visit in under a minute: every field has a sensible default but the people."""

    visited_on = forms.DateField(
        label=_("走访日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    method = forms.ChoiceField(
        label=_("方式"),
        choices=VisitMethod.choices,
        initial=VisitMethod.DOOR_TO_DOOR,
        widget=forms.RadioSelect,
    )
    reached = MemberChoiceField(
        label=_("联系到的人员"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("联系到的人员必须是该户成员"),
            "invalid_pk_value": _("联系到的人员必须是该户成员"),
        },
    )
    traveled = forms.ChoiceField(
        label=_("14 天内外出"), choices=YES_NO, initial="no", widget=forms.RadioSelect
    )
    travel_history = forms.CharField(
        label=_("去过哪里"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": _("如：3月1日 石家庄")}),
    )
    symptomatic = forms.ChoiceField(
        label=_("发热、咳嗽等症状"), choices=YES_NO, initial="no", widget=forms.RadioSelect
    )
    symptoms = forms.CharField(
        label=_("什么症状"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("如：发热 37.8℃")}),
    )
    notes = forms.CharField(
        label=_("备注"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: object, household: Household, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.household = household
        self.fields["reached"].queryset = (  # type: ignore[attr-defined]
            Person.objects.filter(household=household).living().family_order()
        )
        today = timezone.localdate()
        self.fields["visited_on"].initial = today
        self.fields["visited_on"].widget.attrs["max"] = today.isoformat()

    def clean(self) -> dict:  # type: ignore[type-arg]
        data = super().clean()
        if data.get("traveled") == "yes" and not data.get("travel_history", "").strip():
            self.add_error("travel_history", _("请填写 14 天内去过的地方"))
        if data.get("symptomatic") == "yes" and not data.get("symptoms", "").strip():
            self.add_error("symptoms", _("请填写有哪些症状"))
        return data

    def action_arguments(self) -> dict[str, object]:
        """Keyword arguments for `do_record_visit`."""
        data = self.cleaned_data
        traveled = data["traveled"] == "yes"
        symptomatic = data["symptomatic"] == "yes"
        return {
            "visited_on": data["visited_on"],
            "method": data["method"],
            "reached": list(data["reached"]),
            "travel_history": data["travel_history"].strip() if traveled else "",
            "has_symptoms": symptomatic,
            "symptoms": data["symptoms"].strip() if symptomatic else "",
            "notes": data["notes"].strip(),
        }


# Which form field an action's ValidationError is about, by its code.
VISIT_ERROR_FIELDS = {"future_date": "visited_on", "not_member": "reached"}
