from django.db import models
from django.utils.translation import gettext_lazy as _


class ElementType(models.TextChoices):
    INTEGER = "integer", _("整数")
    DECIMAL = "decimal", _("小数（两位）")


class ElementKind(models.TextChoices):
    """How a figure adds up over days: new counts sum, cumulative ones are read on a day."""

    NEW = "new", _("当日新增（按日累加）")
    CUMULATIVE = "cumulative", _("累计或现有数（取当日值）")


class RuleKind(models.TextChoices):
    LESS_OR_EQUAL = "le", _("左项 ≤ 右项")
    NON_NEGATIVE = "non_negative", _("不得为负数")
    NOT_BELOW_PREVIOUS = "not_below_previous", _("不得小于上一次报告的数")


class RuleSeverity(models.TextChoices):
    BLOCK = "block", _("阻止提交")
    WARN = "warn", _("提示但允许提交")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已上报")
    CONFIRMED = "confirmed", _("市级已确认")
    LOCKED = "locked", _("省级已锁定")


# Reports whose figures count in the statistics.
COUNTED_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.CONFIRMED, ReportStatus.LOCKED)


# --- line lists (issue 5, part 2) --------------------------------------------------------------


class CaseStatus(models.TextChoices):
    SUSPECTED = "suspected", _("疑似病例")
    CONFIRMED = "confirmed", _("确诊病例")
    ASYMPTOMATIC = "asymptomatic", _("无症状感染者")
    EXCLUDED = "excluded", _("已排除")


# The reclassifications a case may go through; each keeps a history row.
RECLASSIFICATIONS: dict[str, frozenset[str]] = {
    CaseStatus.SUSPECTED: frozenset({CaseStatus.CONFIRMED, CaseStatus.EXCLUDED}),
    CaseStatus.ASYMPTOMATIC: frozenset({CaseStatus.CONFIRMED}),
    CaseStatus.CONFIRMED: frozenset(),
    CaseStatus.EXCLUDED: frozenset(),
}
ENTRY_STATUSES = (CaseStatus.SUSPECTED, CaseStatus.CONFIRMED, CaseStatus.ASYMPTOMATIC)


class Severity(models.TextChoices):
    NONE = "", _("未评估")
    MILD = "mild", _("轻型")
    MODERATE = "moderate", _("普通型")
    SEVERE = "severe", _("重型")
    CRITICAL = "critical", _("危重型")


class Outcome(models.TextChoices):
    NONE = "", _("在治")
    RECOVERED = "recovered", _("治愈出院")
    DIED = "died", _("死亡")


class ContactType(models.TextChoices):
    HOUSEHOLD = "household", _("共同居住")
    WORK = "work", _("同事或同学")
    TRANSPORT = "transport", _("同乘交通工具")
    MEDICAL = "medical", _("诊疗护理")
    SOCIAL = "social", _("聚餐聚会")
    OTHER = "other", _("其他")


class KeyPersonCategory(models.TextChoices):
    HIGH_RISK_ARRIVAL = "high_risk_arrival", _("中高风险地区来返人员")
    OVERSEAS_ARRIVAL = "overseas_arrival", _("境外入境人员")
    FEVER_PATIENT = "fever_patient", _("发热门诊就诊人员")
    OTHER = "other", _("其他重点人员")


class ObservationPlace(models.TextChoices):
    HOME = "home", _("居家医学观察")
    SITE = "site", _("集中隔离医学观察")


class ObservationStatus(models.TextChoices):
    ACTIVE = "active", _("观察中")
    RELEASED = "released", _("已解除")


class CheckSlot(models.TextChoices):
    MORNING = "am", _("上午")
    EVENING = "pm", _("下午")


class WorklistFlag(models.TextChoices):
    FEVER = "fever", _("发热或有症状")
    MISSED = "missed", _("漏检")
    END_DUE = "end_due", _("今日到期或已超期")
    MORNING_DUE = "am_due", _("待上午监测")
    EVENING_DUE = "pm_due", _("待下午监测")


class Measure(models.TextChoices):
    """Events the line lists count per division and day (`models.LineListTotal`).

    Each only ever grows; "current" figures are differences of two of them up to a day
    (suspected now = suspected − suspected_closed)."""

    CONFIRMED = "confirmed", _("确诊病例")
    SUSPECTED = "suspected", _("疑似病例")
    SUSPECTED_CLOSED = "suspected_closed", _("疑似病例转归")
    ASYMPTOMATIC = "asymptomatic", _("无症状感染者")
    ASYMPTOMATIC_CLOSED = "asymptomatic_closed", _("无症状感染者转确诊")
    EXCLUDED = "excluded", _("排除病例")
    RECOVERED = "recovered", _("治愈出院")
    DIED = "died", _("死亡")
    CONTACTS = "contacts", _("密切接触者")
    KEY_PERSONS = "key_persons", _("重点人员")
    OBSERVATION_STARTED = "observation_started", _("开始医学观察")
    OBSERVATION_RELEASED = "observation_released", _("解除医学观察")


class LineListSource(models.TextChoices):
    """What a report form's element may be pre-filled from (the unit's own line lists)."""

    NONE = "", _("不预填")
    NEW_CONFIRMED = "new_confirmed", _("本单位当日新增确诊")
    NEW_SUSPECTED = "new_suspected", _("本单位当日新增疑似")
    NEW_ASYMPTOMATIC = "new_asymptomatic", _("本单位当日新增无症状感染者")
    CUM_CONFIRMED = "cum_confirmed", _("本单位累计确诊")
    NEW_RECOVERED = "new_recovered", _("本单位当日治愈出院")
    NEW_DIED = "new_died", _("本单位当日死亡")
    NEW_CONTACTS = "new_contacts", _("辖区当日新增密切接触者")
    UNDER_OBSERVATION = "under_observation", _("本单位负责的在观察人数")
