"""Read-side queries shared by the pages and the API: a resident's learning record and the
completion rates per community that staff read.

A resident's community is where the population register has them (found by the citizen ID
their account was verified with), else the community of their latest household declaration:
the same rule `population.declarations.resident_community` applies to one resident, here as
one query for all of them. Completion = resident accounts of an area with at least one passed
attempt (of any quiz, or of the chosen quiz), over all resident accounts of the area.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Substr
from django.utils.translation import gettext as _

from civicgrid.core import division_codes
from civicgrid.core.scoping import Principal, jurisdiction_q
from civicgrid.learning.models import Article, ArticleRead, Quiz, QuizAttempt
from civicgrid.population.models import HouseholdDeclaration, Person
from civicgrid.regions.models import Division

# --- the resident's own record ---------------------------------------------------------------


@dataclass
class QuizStanding:
    quiz: Quiz
    attempts: int
    best_percent: int | None
    passed: bool
    last_attempt_id: int | None = None


@dataclass
class LearningRecord:
    reads: list[ArticleRead]
    quizzes: list[QuizStanding]

    @property
    def passed_count(self) -> int:
        return sum(1 for q in self.quizzes if q.passed)


def quiz_standings(user: Principal, quizzes: list[Quiz]) -> list[QuizStanding]:
    """The user's attempts, best score and pass per quiz, in the order given."""
    stats = {
        row["quiz_id"]: row
        for row in QuizAttempt.objects.visible_to(user)
        .filter(quiz__in=quizzes, user=user)
        .order_by()
        .values("quiz_id")
        .annotate(
            attempts=Count("pk"),
            best=Max("percent"),
            passed=Count("pk", filter=Q(passed=True)),
            last=Max("pk"),
        )
    }
    standings = []
    for quiz in quizzes:
        row = stats.get(quiz.pk)
        standings.append(
            QuizStanding(
                quiz=quiz,
                attempts=row["attempts"] if row else 0,
                best_percent=row["best"] if row else None,
                passed=bool(row and row["passed"]),
                last_attempt_id=row["last"] if row else None,
            )
        )
    return standings


def learning_record(user: Principal) -> LearningRecord:
    """Published articles the user has read (latest first) and every quiz they tried or can
    take now. Retracted items drop out of the reading list but not out of the attempts."""
    reads = list(
        ArticleRead.objects.visible_to(user)
        .filter(user=user, article__in=Article.objects.published())
        .select_related("article__topic")
        .order_by("-read_at")
    )
    tried = QuizAttempt.objects.visible_to(user).filter(user=user).values("quiz_id")
    quizzes = list(
        Quiz.objects.filter(Q(pk__in=tried) | Q(pk__in=Quiz.objects.reaching(user).values("pk")))
        .select_related("topic")
        .order_by("-published_at", "-pk")
    )
    return LearningRecord(reads=reads, quizzes=quiz_standings(user, quizzes))


# --- completion rates per area ---------------------------------------------------------------


@dataclass
class CompletionRow:
    label: str
    residents: int
    passed: int
    code: str = ""  # the area's significant code prefix
    drillable: bool = False  # has areas below it worth opening

    @property
    def percent(self) -> float | None:
        return round(100 * self.passed / self.residents, 1) if self.residents else None


@dataclass
class Completion:
    within: Division
    quiz: Quiz | None
    rows: list[CompletionRow] = field(default_factory=list)

    @property
    def total(self) -> CompletionRow:
        return CompletionRow(
            self.within.name,
            sum(r.residents for r in self.rows),
            sum(r.passed for r in self.rows),
            self.within.short_code,
        )


def residents_with_community() -> QuerySet:
    """Resident accounts annotated with `community` (register first, then declaration)."""
    User = get_user_model()
    registered = Person.objects.filter(id_number_hash=OuterRef("id_number_hash")).values(
        "division_code"
    )[:1]
    declared = (
        HouseholdDeclaration.objects.filter(declared_by=OuterRef("pk"))
        .order_by("-created_at", "-pk")
        .values("division_code")[:1]
    )
    return User.objects.filter(is_resident=True, is_active=True).annotate(
        community=Coalesce(Subquery(registered), Subquery(declared))
    )


def completion(within: Division, *, quiz: Quiz | None = None) -> Completion:
    """Residents and those who passed, per child of `within` (or `within` itself when it is a
    community). The caller has checked that `within` lies in the reader's jurisdiction."""
    passed = QuizAttempt.objects.filter(user=OuterRef("pk"), passed=True)
    if quiz is not None:
        passed = passed.filter(quiz=quiz)
    people = residents_with_community().filter(jurisdiction_q([within.code], "community"))
    leaf = within.level >= max(division_codes.LEVEL_DIGITS)
    digits = division_codes.LEVEL_DIGITS[within.level if leaf else within.level + 1]
    counts = {
        row["area"]: (row["residents"], row["passed"])
        for row in people.annotate(area=Substr("community", 1, digits), done=Exists(passed))
        .order_by()
        .values("area")
        .annotate(residents=Count("pk"), passed=Count("pk", filter=Q(done=True)))
    }
    areas = [within] if leaf else list(Division.objects.filter(parent=within).order_by("code"))
    rows = []
    for area in areas:
        residents, done = counts.get(area.code[:digits], (0, 0))
        rows.append(CompletionRow(area.name, residents, done, area.short_code, not leaf))
    # Lagging areas first, as on every rate table; areas without resident accounts last.
    rows.sort(key=lambda r: (r.percent is None, r.percent or 0.0, r.code))
    return Completion(within=within, quiz=quiz, rows=rows)


def completion_sheet(report: Completion) -> tuple[list[str], list[list[object]]]:
    """Headers and rows of the completion table as a spreadsheet."""
    headers = [_("区划"), _("区划代码"), _("居民账号数"), _("已通过测验"), _("完成率（%）")]
    rows: list[list[object]] = [
        [r.label, r.code, r.residents, r.passed, r.percent if r.percent is not None else ""]
        for r in [*report.rows, report.total]
    ]
    rows[-1][0] = _("合计：%(name)s") % {"name": report.within.name}
    return headers, rows
