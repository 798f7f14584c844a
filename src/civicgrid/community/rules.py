"""Alert rules people can read, and the checks that apply them.

A rule never sanctions anyone: it raises an `Alert`, a task for the household's grid worker,
who records what they found. The checks run where the facts arrive (a scan, a health report)
or once a day (households that stopped reporting).
"""

import datetime
import time
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.community.choices import AlertStatus, Direction, RuleKind
from civicgrid.community.models import Alert, AlertRule, HealthReport, PassRecord
from civicgrid.community.residents import with_living_members
from civicgrid.community.tap_facts import TapFacts
from civicgrid.core.notifications.actions import notify
from civicgrid.population.models import GridAssignment, Household, Person

DEFAULT_THRESHOLDS = {RuleKind.EXITS_PER_DAY: 5, RuleKind.NO_REPORT: 2}


def describe(rule: AlertRule) -> str:
    """The rule in one sentence a community worker or a resident can read."""
    n = rule.threshold
    texts = {
        RuleKind.EXITS_PER_DAY: _("同一居民一天内外出超过 %(n)s 次") % {"n": n},
        RuleKind.OBSERVED_OUT: _("医学观察期内的居民扫码外出"),
        RuleKind.FEVER: _("家庭健康日报中有成员体温 ≥ 37.3 ℃ 或报告发热"),
        RuleKind.NO_REPORT: _("住户连续 %(n)s 天没有报告家庭健康情况") % {"n": n},
    }
    return texts[RuleKind(rule.kind)] + _("，提醒该户网格员核实")


# Active rules per community, read on every scan: cached in the process for a few seconds so
# a gate at rush hour does not ask the database the same question 600 times a second. A change
# made in this process clears the entry at once; other processes see it within RULE_CACHE_SECONDS.
RULE_CACHE_SECONDS = 10.0
_rule_cache: dict[str, tuple[float, dict[str, AlertRule]]] = {}


def active_rules(division_code: str) -> dict[str, AlertRule]:
    cached = _rule_cache.get(division_code)
    now = time.monotonic()
    if cached is not None and now - cached[0] < RULE_CACHE_SECONDS:
        return cached[1]
    rules = {
        r.kind: r for r in AlertRule.objects.filter(division_code=division_code, is_active=True)
    }
    _rule_cache[division_code] = (now, rules)
    return rules


def forget_rules(division_code: str | None = None) -> None:
    if division_code is None:
        _rule_cache.clear()
    else:
        _rule_cache.pop(division_code, None)


def grid_workers_for(household: Household | None, division_code: str) -> list[Any]:
    """Who checks an alert: the grid workers of the household's grid, else the community staff."""
    from civicgrid.accounts.choices import Role
    from civicgrid.accounts.models import User

    if household is not None and household.grid_id is not None:
        workers = list(
            User.objects.filter(
                pk__in=GridAssignment.objects.filter(grid_id=household.grid_id).values("user_id"),
                is_active=True,
            )
        )
        if workers:
            return workers
    return list(
        User.objects.filter(
            is_active=True,
            memberships__is_active=True,
            memberships__role=Role.COMMUNITY_STAFF,
            memberships__division_code=division_code,
        ).distinct()
    )


def raise_alert(
    rule: AlertRule,
    *,
    day: datetime.date,
    detail: str,
    household: Household | None,
    person: Person | None = None,
) -> Alert | None:
    """One alert per rule, subject and day (a second hit the same day changes nothing).

    Runs inside the caller's transaction; the grid worker's notification is written with it.
    """
    subject_key = (
        f"p:{person.pk}" if person is not None else f"h:{household.pk if household else 0}"
    )
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                rule=rule,
                division_code=rule.division_code,
                grid_id=household.grid_id if household is not None else None,
                household=household,
                person=person,
                day=day,
                subject_key=subject_key,
                detail=detail[:300],
            )
    except IntegrityError:
        return None
    notify(
        grid_workers_for(household, rule.division_code),
        "community_alert",
        {
            "rule": rule.get_kind_display(),
            "address": household.address if household is not None else "",
            "detail": detail,
        },
        url=f"/community/alerts/{alert.pk}/",
    )
    return alert


def check_pass(record: PassRecord, facts: TapFacts) -> None:
    """Rules that a resident's exit can trip: too many exits today, an observed person out.
    `facts` were read just before the pass was written, with whether today's alert of each
    rule exists already: an observed person's every exit (and every exit over the limit) trips
    the rule again, and a failed insert would cost the household's load, a savepoint and a
    rolled-back row each time. The unique index still settles two hits racing."""
    if record.direction != Direction.OUT or record.person_id is None:
        return
    rules = active_rules(record.division_code)
    if not rules.keys() & {RuleKind.EXITS_PER_DAY, RuleKind.OBSERVED_OUT}:
        return
    day = timezone.localdate(record.scanned_at)
    person = record.person
    exits = rules.get(RuleKind.EXITS_PER_DAY)
    if exits is not None:
        count = facts.exits_before + 1
        if count > (exits.threshold or 0) and not facts.exits_alerted:
            raise_alert(
                exits,
                day=day,
                household=record.household,
                person=person,
                detail=_("%(name)s 今天已外出 %(n)d 次") % {"name": _masked(person), "n": count},
            )
    observed = rules.get(RuleKind.OBSERVED_OUT)
    if observed is not None and facts.observed and not facts.observed_alerted:
        raise_alert(
            observed,
            day=day,
            household=record.household,
            person=person,
            detail=_("医学观察期内的 %(name)s 于 %(time)s 扫码外出")
            % {
                "name": _masked(person),
                "time": timezone.localtime(record.scanned_at).strftime("%H:%M"),
            },
        )


def check_report(report: HealthReport, fevers: list[Person]) -> None:
    """A household report with a fever trips the fever rule."""
    rule = active_rules(report.division_code).get(RuleKind.FEVER)
    if rule is None or not fevers:
        return
    names = "、".join(_masked(p) for p in fevers)
    raise_alert(
        rule,
        day=report.report_date,
        household=report.household,
        detail=_("家庭健康日报中 %(names)s 发热") % {"names": names},
    )


def check_missing_reports(today: datetime.date) -> int:
    """Households of communities with a no-report rule that have not reported for N days."""
    raised = 0
    for rule in AlertRule.objects.filter(kind=RuleKind.NO_REPORT, is_active=True):
        days = rule.threshold or DEFAULT_THRESHOLDS[RuleKind.NO_REPORT]
        since = today - datetime.timedelta(days=days - 1)
        recent = HealthReport.objects.filter(household=OuterRef("pk"), report_date__gte=since)
        households = with_living_members(
            Household.objects.filter(division_code=rule.division_code)
        ).filter(~Exists(recent))
        for household in households.iterator():
            with transaction.atomic():
                detail = _("已连续 %(n)d 天没有报告家庭健康情况") % {"n": days}
                if raise_alert(rule, day=today, household=household, detail=detail):
                    raised += 1
    return raised


def hit_rates(rules: list[AlertRule]) -> dict[int, dict[str, Any]]:
    """Per rule: alerts raised, confirmed, dismissed, open, and confirmed ÷ resolved."""
    counts = {
        row["rule_id"]: row
        for row in Alert.objects.filter(rule__in=rules)
        .values("rule_id")
        .annotate(
            total=Count("pk"),
            confirmed=Count("pk", filter=Q(status=AlertStatus.CONFIRMED)),
            dismissed=Count("pk", filter=Q(status=AlertStatus.DISMISSED)),
            open=Count("pk", filter=Q(status=AlertStatus.OPEN)),
        )
    }
    rates: dict[int, dict[str, Any]] = {}
    for rule in rules:
        row = counts.get(rule.pk, {"total": 0, "confirmed": 0, "dismissed": 0, "open": 0})
        resolved = row["confirmed"] + row["dismissed"]
        rates[rule.pk] = {
            **row,
            "rate": round(row["confirmed"] * 100 / resolved, 1) if resolved else None,
        }
    return rates


def _masked(person: Person) -> str:
    from civicgrid.community.masking import masked_name

    return masked_name(person.name)
