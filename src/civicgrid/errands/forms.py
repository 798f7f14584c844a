"""Page forms. They parse what a phone sends; the rules are the actions'."""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.errands.actions import ItemInput
from civicgrid.errands.choices import ErrandKind, RepaymentMethod

# "西红柿 2 斤", "鸡蛋×1盒", "感冒灵颗粒 2": name, quantity, optional unit.
_ITEM_LINE = re.compile(r"^(?P<name>.+?)\s*[×xX*]?\s*(?P<quantity>\d+)\s*(?P<unit>\S{0,10})$")
LOCAL_INPUT = "%Y-%m-%dT%H:%M"


def parse_item_lines(text: str) -> list[ItemInput]:
    """One item a line, "物品 数量 单位"; ValidationError naming each line without a quantity."""
    items, errors = [], []
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    for number, line in enumerate(lines, start=1):
        match = _ITEM_LINE.match(
            line.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
        )
        if match is None:
            errors.append(
                _("第 %(n)d 行“%(line)s”：请写明数量，例如“西红柿 2 斤”")
                % {"n": number, "line": line[:20]}
            )
            continue
        items.append(ItemInput(match["name"].strip(), int(match["quantity"]), match["unit"]))
    if errors:
        raise ValidationError(errors)
    return items


def _local_input(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime(LOCAL_INPUT)


class ErrandForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("需要帮忙买什么"), choices=ErrandKind.choices, widget=forms.RadioSelect
    )
    items = forms.CharField(
        label=gettext_lazy("物品清单（每行一样：物品 数量 单位）"),
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": gettext_lazy("西红柿 2 斤\n鸡蛋 1 盒")}
        ),
        max_length=2000,
    )
    budget = forms.CharField(
        label=gettext_lazy("预算（元）"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    window_start = forms.DateTimeField(
        label=gettext_lazy("最早送达"),
        input_formats=[LOCAL_INPUT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT),
    )
    window_end = forms.DateTimeField(
        label=gettext_lazy("最晚送达"),
        input_formats=[LOCAL_INPUT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT),
    )
    dropoff_instructions = forms.CharField(
        label=gettext_lazy("放置说明"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("例如：放在门口的鞋柜上")}),
    )
    contactless = forms.BooleanField(label=gettext_lazy("无接触配送"), required=False, initial=True)

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        now = timezone.now().replace(second=0, microsecond=0)
        self.fields["window_start"].initial = _local_input(now + datetime.timedelta(minutes=30))
        self.fields["window_end"].initial = _local_input(now + datetime.timedelta(hours=3))

    def clean_items(self) -> list[ItemInput]:
        return parse_item_lines(self.cleaned_data["items"])


class OnBehalfForm(forms.Form):
    """Who and where, when a grid worker or community staff posts for a resident."""

    community = forms.ChoiceField(label=gettext_lazy("社区/村"))
    building = forms.CharField(label=gettext_lazy("楼栋"), required=False, max_length=30)
    unit = forms.CharField(label=gettext_lazy("单元"), required=False, max_length=20)
    room = forms.CharField(label=gettext_lazy("门牌/房号"), max_length=30)
    contact_name = forms.CharField(label=gettext_lazy("联系人"), max_length=50)
    contact_mobile = forms.CharField(
        label=gettext_lazy("联系电话"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )

    def __init__(self, *args, communities=(), **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [(c.code, c.name) for c in communities]


class RepaymentForm(forms.Form):
    amount = forms.CharField(label=gettext_lazy("还款金额（元）"), max_length=20)
    method = forms.ChoiceField(label=gettext_lazy("方式"), choices=RepaymentMethod.choices)
