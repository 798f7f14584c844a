"""The demo county's epidemic survey (防疫调查) and the demo residents' answers to it.

阜城县 asks every resident four questions; answering "是" to any of the first three is an
answer the household's grid worker follows up. The answers go through the resident's own
action, so resident_2's travel answer reaches `grid_worker_1`'s worklist as a real one would.
Runs after `errands.demo`, which gives the demo residents their households. Idempotent: does
nothing once the county has a survey.
"""

from django.db import transaction

from civicgrid.accounts.models import User
from civicgrid.population.choices import QuestionKind
from civicgrid.population.declarations import do_answer_survey, person_of
from civicgrid.population.models import Survey, SurveyQuestion

COUNTY = "131128000000"  # 阜城县
TITLE = "阜城县居民防疫调查"
YES, NO = "是", "否"
TRAVEL_MODES = ["未外出", "自驾", "火车", "飞机", "长途客车"]
# (text, kind, options, the answer the grid worker follows up)
QUESTIONS = (
    ("14 天内是否到过中高风险地区？", QuestionKind.YES_NO, [], YES),
    ("14 天内是否接触过来自中高风险地区的人员？", QuestionKind.YES_NO, [], YES),
    ("目前是否有发热、干咳、乏力等症状？", QuestionKind.YES_NO, [], YES),
    ("14 天内的主要出行方式", QuestionKind.CHOICE, TRAVEL_MODES, ""),
)
# Each resident's answers, in the order of QUESTIONS: resident_2 came back from a risk area.
ANSWERS = {
    "resident_1": (NO, NO, NO, "未外出"),
    "resident_2": (YES, NO, NO, "火车"),
}


def do_load_demo_survey() -> int:
    """The survey and the answers; returns how many answers were stored (0 when the county
    already has a survey, or the demo residents have no household yet)."""
    if Survey.objects.filter(division_code=COUNTY).exists():
        return 0
    residents = User.objects.filter(username__in=ANSWERS)
    with transaction.atomic():
        survey = Survey.objects.create(title=TITLE, division_code=COUNTY)
        questions = [
            SurveyQuestion.objects.create(
                survey=survey, order=order, text=text, kind=kind, options=options, risk_answer=risk
            )
            for order, (text, kind, options, risk) in enumerate(QUESTIONS, start=1)
        ]
        answered = 0
        for resident in residents:
            if person_of(resident) is None:
                continue
            answers = ANSWERS[resident.username]
            do_answer_survey(
                resident,
                survey=survey,
                answers={str(q.pk): a for q, a in zip(questions, answers, strict=True)},
            )
            answered += 1
    return answered
