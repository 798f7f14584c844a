"""The community brain's open alerts on the grid worker's worklist (`population.worklist_sections`):
each alert is a task for the household's grid worker, and the worklist is where they start their
day."""

import datetime
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from civicgrid.community.choices import AlertStatus
from civicgrid.community.models import Alert
from civicgrid.population.worklist_sections import SHOWN, WorklistItem, WorklistSection


def open_alerts(user: Any, today: datetime.date) -> WorklistSection | None:
    """The open alerts the user sees (a grid worker: of their grids), newest first."""
    alerts = list(
        Alert.objects.visible_to(user)
        .filter(status=AlertStatus.OPEN)
        .select_related("rule", "household", "person")
        .order_by("-created_at")[: SHOWN + 1]
    )
    if not alerts:
        return None
    items = [
        WorklistItem(
            label=a.rule.get_kind_display(),
            name=a.person.name if a.person else "",
            detail=a.detail,
            when=a.created_at,
            url=reverse("community:alert_detail", args=[a.pk]),
            action=_("核实处理"),
            household=a.household,
        )
        for a in alerts[:SHOWN]
    ]
    return WorklistSection(
        key="community-alerts",
        title=_("社区预警待核实"),
        hint=_("社区大脑按规则提出的核实任务，不是处罚：上门或电话了解情况后记录核实结果。"),
        items=items,
        more=len(alerts) > SHOWN,
        more_url=reverse("community:alert_list") + f"?status={AlertStatus.OPEN}",
    )
