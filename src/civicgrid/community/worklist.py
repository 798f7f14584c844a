"""What the community brain adds to the grid worker's pages (`population.extensions`): its open
alerts on the daily worklist (each alert is a task for the household's grid worker, and the
worklist is where they start their day), and on a household's page the source's figures for it:
today's health report, the week's disinfections, each member's exits."""

import datetime
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from civicgrid.community import dashboards
from civicgrid.community.choices import AlertStatus
from civicgrid.community.models import Alert, PassRecord
from civicgrid.population.extensions import SHOWN, HouseholdPanel, WorklistItem, WorklistSection


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


PASSES_SHOWN = 12


def household_figures(user: Any, household: Any, today: datetime.date) -> HouseholdPanel:
    """The household's members with their exits this week and whether they are under
    observation, the household's report today, disinfections this week and fever days, its
    open alerts and today's passes: three queries."""
    members = list(
        dashboards.resident_rows(
            user, household.division_code, today=today, busiest_first=False
        ).filter(household=household)
    )
    alerts = list(
        Alert.objects.visible_to(user)
        .filter(household=household, status=AlertStatus.OPEN)
        .select_related("rule")
        .order_by("-created_at")[:SHOWN]
    )
    start, end = dashboards.day_bounds(today)
    passes = list(
        PassRecord.objects.visible_to(user)
        .filter(household=household, scanned_at__gte=start, scanned_at__lt=end)
        .filter(voided_at__isnull=True)
        .select_related("checkpoint", "person")
        .order_by("-scanned_at")[:PASSES_SHOWN]
    )
    first = members[0] if members else None
    return HouseholdPanel(
        "community/_household_panel.html",
        {
            "members": members,
            "alerts": alerts,
            "passes": passes,  # today's, newest first: what an exits alert is about
            # The household's figures, the same on every member's row.
            "fever_today": first.fever_today if first else None,
            "disinfections": first.disinfections_this_week if first else 0,
            "fever_days": first.fever_days if first else 0,
            "lookback": dashboards.FEVER_LOOKBACK_DAYS,
        },
    )
